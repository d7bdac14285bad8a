package io.sluice.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The embedded SQLite database of a Sluice home: WAL (so a CLI and a server can share it),
 * a busy timeout instead of "database is locked" errors, and write transactions that take the
 * write lock when they begin. The schema is Flyway's; opening a home that is already current
 * skips Flyway, because the CLI starts on every command and Flyway's startup is most of a command's time.
 */
public final class Database implements AutoCloseable {
    /** The number of the newest migration; kept in SQLite's user_version after migrating. */
    static final int SCHEMA_VERSION = 5;

    /** Where a server started with {@code --db} leaves the URL, so that commands on its home use the same database. */
    public static final String URL_FILE = "database.url";

    /** The two databases Sluice keeps its state in; the SQL differs in a few places only. */
    public enum Dialect { SQLITE, POSTGRESQL }

    private final Connections connections;
    /** Made on first use: {@code sluice run} writes through plain JDBC and never needs it. */
    private Jdbi jdbi;
    private final Dialect dialect;
    private final String description;

    private Database(Connections connections, Dialect dialect, String description) {
        this.connections = connections;
        this.dialect = dialect;
        this.description = description;
    }

    /**
     * The database of a home as its commands and server use it: {@code url} when given (a
     * server's {@code --db}), else {@code $SLUICE_DB_URL}, else the URL a server left in the home,
     * else the home's embedded SQLite.
     */
    public static Database forHome(Path home, Optional<String> url) {
        return forHome(home, url, false);
    }

    /**
     * The database of a home as one command uses it: {@link #forHome}, but a home's SQLite through
     * one connection that the command's threads take in turn (see {@link Connections.Single}).
     */
    public static Database forCommand(Path home) {
        return forHome(home, Optional.empty(), true);
    }

    private static Database forHome(Path home, Optional<String> url, boolean oneConnection) {
        Optional<String> chosen = url.filter(u -> !u.isBlank())
                .or(() -> Optional.ofNullable(System.getenv("SLUICE_DB_URL")).filter(u -> !u.isBlank()))
                .or(() -> urlLeftIn(home));
        if (chosen.isEmpty()) {
            return open(home, oneConnection);
        }
        return openUrl(chosen.get());
    }

    private static Optional<String> urlLeftIn(Path home) {
        try {
            Path file = home.resolve(URL_FILE);
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file).trim()).filter(u -> !u.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read " + home.resolve(URL_FILE) + ": " + e.getMessage(), e);
        }
    }

    /** Opens (migrating when needed) a PostgreSQL database by its JDBC URL. */
    public static Database openUrl(String url) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new UnsupportedDatabaseUrlException("unsupported database URL (want jdbc:postgresql://HOST[:PORT]/DB?user=...): " + redact(url));
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("sluice-postgresql");
        // run drivers, the API and the beat share the pool: enough that the beat never queues long
        config.setMaximumPoolSize(16);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(10_000);
        // fail at once with the driver's own words when the database cannot be reached
        config.setInitializationFailTimeout(1);
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database " + redact(url) + ": " + rootMessage(e), e);
        }
        try {
            migratePostgres(dataSource, url);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(new Connections.Pooled(dataSource), Dialect.POSTGRESQL, redact(url));
    }

    /** The URL without its password, to print. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//([^/@:]+):[^/@]*@", "//$1:***@");
    }

    private static void migratePostgres(HikariDataSource dataSource, String url) {
        try {
            if (postgresVersion(dataSource) == SCHEMA_VERSION) {
                return;
            }
            // Flyway takes PostgreSQL's advisory lock: servers starting at once migrate one after the other
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration/postgresql")
                    .load()
                    .migrate();
            int now = postgresVersion(dataSource);
            if (now > SCHEMA_VERSION) {
                throw new StoreException("the database " + redact(url) + " was written by a newer Sluice (schema "
                        + now + "); this one knows schema " + SCHEMA_VERSION);
            }
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw new StoreException("cannot prepare the database " + redact(url) + ": " + rootMessage(e), e);
        }
    }

    /** The newest migration applied, 0 for a new database. */
    private static int postgresVersion(HikariDataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
                if (!exists.next() || !exists.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the database: " + e.getMessage(), e);
        }
    }

    /** Opens (creating and migrating when needed) the embedded SQLite database of the home at {@code home}. */
    public static Database open(Path home) {
        return open(home, false);
    }

    private static Database open(Path home, boolean oneConnection) {
        Path file = home.resolve("sluice.db");
        try {
            // the database holds secrets and tokens' hashes: a new home and its database are private
            // to their owner (SQLite gives its -wal and -shm files the database file's mode)
            if (!Files.isDirectory(home)) {
                Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another process created it at the same moment
        } catch (IOException | UnsupportedOperationException e) {
            throw new StoreException("cannot create the Sluice home " + home + ": " + e.getMessage(), e);
        }
        org.sqlite.SQLiteDataSource sqlite = sqlite(file);
        Connections connections;
        try {
            // The first connection to a new database switches it to WAL, which needs the file to
            // itself: processes that open a new home at once would fail with "database is locked"
            // (SQLite does not wait for that lock), so they take the home's lock for it in turn.
            java.util.function.Supplier<Connections> connect = oneConnection ? () -> single(sqlite) : () -> pooled(sqlite);
            connections = isNew(file) ? underHomeLock(home, connect) : connect.get();
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database " + file + ": " + rootMessage(e), e);
        }
        try {
            // Flyway gets connections of its own; only a home that is not current needs it
            migrate(connections, connections instanceof Connections.Pooled p ? p.pool() : sqlite, home);
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
        return new Database(connections, Dialect.SQLITE, file.toString());
    }

    private static org.sqlite.SQLiteDataSource sqlite(Path file) {
        // a DataSource rather than a URL: the JDK's DriverManager would look for drivers in every jar
        org.sqlite.SQLiteDataSource sqlite = new org.sqlite.SQLiteDataSource(new org.sqlite.SQLiteConfig(sqliteProperties()));
        sqlite.setUrl("jdbc:sqlite:" + file);
        return sqlite;
    }

    private static Connections single(org.sqlite.SQLiteDataSource sqlite) {
        try {
            return new Connections.Single(sqlite.getConnection());
        } catch (SQLException e) {
            throw new StoreException(e.getMessage(), e);
        }
    }

    private static boolean isNew(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static Connections pooled(org.sqlite.SQLiteDataSource sqlite) {
        // configured on the data source itself, not copied from a HikariConfig, which copies its
        // settings by reflection (a cold start spins a dozen method-handle classes for it); the
        // pool then starts with the first connection
        HikariDataSource pool = new HikariDataSource();
        pool.setDataSource(sqlite);
        pool.setPoolName("sluice-sqlite");
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(1);
        // the first connection now, under the home's lock when the caller holds it (see open)
        try (Connection first = pool.getConnection()) {
            return new Connections.Pooled(pool);
        } catch (SQLException e) {
            pool.close();
            throw new StoreException(e.getMessage(), e);
        }
    }

    static Properties sqliteProperties() {
        Properties p = new Properties();
        p.setProperty("journal_mode", "WAL");
        p.setProperty("busy_timeout", "30000");
        // NORMAL in WAL mode: a commit survives a crash of any process (the OS holds the WAL);
        // only a power loss can drop the last commits. See docs/operations.md.
        p.setProperty("synchronous", "NORMAL");
        p.setProperty("foreign_keys", "true");
        p.setProperty("transaction_mode", "IMMEDIATE");
        return p;
    }

    private static void migrate(Connections connections, javax.sql.DataSource forFlyway, Path home) {
        if (userVersion(connections) == SCHEMA_VERSION) {
            return;
        }
        // Two processes may open a new home at once; only one may migrate it.
        try {
            underHomeLock(home, () -> {
                migrateLocked(connections, forFlyway, home);
                return null;
            });
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreException("cannot prepare the database in " + home + ": " + rootMessage(e), e);
        }
    }

    private static final java.util.concurrent.ConcurrentMap<String, Object> HOME_LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs {@code work} holding the home's lock file. File locks are held per JVM, so threads of
     * one JVM also take a lock of their own first.
     */
    private static <T> T underHomeLock(Path home, java.util.function.Supplier<T> work) {
        Path lockFile = home.resolve("migrate.lock");
        synchronized (HOME_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize().toString(), k -> new Object())) {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                return work.get();
            } catch (IOException e) {
                throw new StoreException("cannot lock " + lockFile + ": " + e.getMessage(), e);
            }
        }
    }

    private static void migrateLocked(Connections connections, javax.sql.DataSource forFlyway, Path home) {
        int current = userVersion(connections);
        if (current == SCHEMA_VERSION) {
            return;
        }
        if (current > SCHEMA_VERSION) {
            throw new StoreException("the home " + home + " was written by a newer Sluice (schema "
                    + current + "); this one knows schema " + SCHEMA_VERSION);
        }
        Flyway.configure()
                .dataSource(forFlyway)
                .locations("classpath:db/migration/sqlite")
                .load()
                .migrate();
        try {
            Connection c = connections.borrow();
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            } finally {
                connections.giveBack(c);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot prepare the database in " + home + ": " + e.getMessage(), e);
        }
    }

    private static int userVersion(Connections connections) {
        try {
            Connection c = connections.borrow();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                return rs.next() ? rs.getInt(1) : 0;
            } finally {
                connections.giveBack(c);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the database: " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    public synchronized Jdbi jdbi() {
        if (jdbi == null) {
            jdbi = Jdbi.create(new org.jdbi.v3.core.ConnectionFactory() {
                @Override
                public Connection openConnection() throws SQLException {
                    return connections.borrow();
                }

                @Override
                public void closeConnection(Connection connection) throws SQLException {
                    connections.giveBack(connection);
                }
            });
        }
        return jdbi;
    }

    /** A connection for the caller alone, until {@link #giveBack}. */
    Connection borrow() throws SQLException {
        return connections.borrow();
    }

    void giveBack(Connection connection) throws SQLException {
        connections.giveBack(connection);
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Whether several servers may share this database (PostgreSQL), or one server owns it (a home's SQLite). */
    public boolean shared() {
        return dialect == Dialect.POSTGRESQL;
    }

    /** Where the database is, without secrets: the SQLite file, or the URL without its password. */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        connections.close();
    }
}
