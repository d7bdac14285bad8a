package io.sluice.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.jdbi.v3.core.mapper.RowMapper;
import org.sqlite.SQLiteConnection;

/**
 * Plain JDBC with positional parameters, for what every {@code sluice run} does: its first JDBI
 * statement costs a cold JVM about 60 ms, a whole run's worth of task writes. The rest of the
 * store speaks JDBI; the row mappers are shared (they never look at JDBI's context).
 */
final class Sql {
    /** Stands for a null argument: varargs and List.of take no nulls. */
    static final Object NULL = new Object();

    private Sql() {
    }

    static Object nullable(Optional<?> value) {
        return value.isPresent() ? value.get() : NULL;
    }

    static Object nullable(Object value) {
        return value == null ? NULL : value;
    }

    static int update(Connection connection, String sql, Object... args) {
        try {
            PreparedStatement statement = prepared(connection, sql);
            try {
                bind(statement, args);
                return statement.executeUpdate();
            } finally {
                release(connection, sql, statement);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write to the database: " + e.getMessage(), e);
        }
    }

    static <T> List<T> list(Connection connection, String sql, RowMapper<T> mapper, Object... args) {
        try {
            PreparedStatement statement = prepared(connection, sql);
            try {
                bind(statement, args);
                try (ResultSet rs = statement.executeQuery()) {
                    List<T> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(mapper.map(rs, null));
                    }
                    return rows;
                }
            } finally {
                release(connection, sql, statement);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the database: " + e.getMessage(), e);
        }
    }

    /**
     * SQLite's statements, kept prepared per connection: SQLite parses and plans a statement anew
     * on every prepare, and a run's driver writes the same handful for every task. They are
     * prepared on the pool's underlying connection, which the pool does not close behind our back
     * at the end of each borrow; a connection the pool retired drops its cache with it.
     */
    private static final Map<Connection, Map<String, PreparedStatement>> KEPT =
            Collections.synchronizedMap(new WeakHashMap<>());

    private static PreparedStatement prepared(Connection connection, String sql) throws SQLException {
        if (!connection.isWrapperFor(SQLiteConnection.class)) {
            return connection.prepareStatement(sql);
        }
        Connection raw = connection.unwrap(SQLiteConnection.class);
        Map<String, PreparedStatement> kept = KEPT.computeIfAbsent(raw, c -> new HashMap<>());
        PreparedStatement statement = kept.remove(sql); // taken while in use: never shared by two callers
        if (statement == null || statement.isClosed()) {
            statement = raw.prepareStatement(sql);
        }
        return statement;
    }

    private static void release(Connection connection, String sql, PreparedStatement statement) throws SQLException {
        if (!connection.isWrapperFor(SQLiteConnection.class)) {
            statement.close();
            return;
        }
        statement.clearParameters();
        Map<String, PreparedStatement> kept = KEPT.get(connection.unwrap(SQLiteConnection.class));
        if (kept == null || kept.size() >= 64) {
            statement.close();
            return;
        }
        PreparedStatement other = kept.putIfAbsent(sql, statement);
        if (other != null && other != statement) {
            statement.close();
        }
    }

    /** The first row, if any. */
    static <T> Optional<T> first(Connection connection, String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = list(connection, sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    /** Runs {@code work} on a connection of {@code database} outside any transaction (each statement commits by itself). */
    static <T> T withConnection(Database database, Work<T> work) {
        try {
            Connection connection = database.borrow();
            try {
                return work.run(connection);
            } finally {
                database.giveBack(connection);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot use the database " + database.description() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws
     * (its exception goes on unchanged). On SQLite the transaction takes the write lock as it begins.
     */
    static <T> T inTransaction(Database database, Work<T> work) {
        try {
            Connection connection = database.borrow();
            try {
                return inTransaction(connection, work);
            } finally {
                database.giveBack(connection);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write to the database " + database.description() + ": " + e.getMessage(), e);
        }
    }

    private static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            // before autocommit goes back on, which would commit what was done so far
            rollback(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static void rollback(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void bind(PreparedStatement statement, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            statement.setObject(i + 1, args[i] == NULL ? null : args[i]);
        }
    }

    /** Work on a connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
