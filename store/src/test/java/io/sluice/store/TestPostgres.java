package io.sluice.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: the one {@code $SLUICE_TEST_PG_URL} names (an administrator's
 * JDBC URL, for a machine that runs its own), else one embedded server per test JVM (zonky's
 * packaged PostgreSQL binaries, started on a free port and stopped when the JVM exits). Each
 * caller gets a fresh database of its own, so tests never see each other's rows.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static String adminUrl;

    private TestPostgres() {
    }

    /** The JDBC URL of a new, empty database. */
    public static synchronized String newDatabase() {
        String admin = adminUrl();
        String name = "sluice_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database on " + admin + ": " + e.getMessage(), e);
        }
        return withDatabase(admin, name);
    }

    private static String adminUrl() {
        if (adminUrl == null) {
            String given = System.getenv("SLUICE_TEST_PG_URL");
            if (given != null && !given.isBlank()) {
                adminUrl = given;
            } else {
                try {
                    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            pg.close();
                        } catch (IOException ignored) {
                            // the JVM is leaving anyway
                        }
                    }));
                    adminUrl = pg.getJdbcUrl("postgres", "postgres");
                } catch (IOException e) {
                    throw new IllegalStateException("cannot start an embedded PostgreSQL: " + e.getMessage(), e);
                }
            }
        }
        return adminUrl;
    }

    /** {@code url} with its database replaced by {@code name}. */
    static String withDatabase(String url, String name) {
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + name + (query < 0 ? "" : url.substring(query));
    }
}
