package io.sluice.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a {@link Database}'s connections come from: HikariCP's pool (a server, PostgreSQL), or
 * one SQLite connection that the threads of a command take in turn.
 */
sealed interface Connections {

    /** A connection for the caller alone until it is given back with {@link #giveBack}. */
    Connection borrow() throws SQLException;

    void giveBack(Connection connection) throws SQLException;

    void close();

    /** HikariCP's pool. */
    record Pooled(HikariDataSource pool) implements Connections {
        @Override
        public Connection borrow() throws SQLException {
            return pool.getConnection();
        }

        @Override
        public void giveBack(Connection connection) throws SQLException {
            connection.close();
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    /**
     * One connection for a command's process, lent to one thread at a time. A command lives for a
     * second and writes from one thread, and SQLite takes one writer at a time anyway; a pool
     * would cost it more than it saves: HikariCP generates a proxy class when its first connection
     * goes back and asks for a SecureRandom for the first one's id, 20-40 ms of a cold start.
     * A thread that takes it again while holding it gets the same connection, so a read inside a
     * transaction sees that transaction.
     */
    final class Single implements Connections {
        private final Connection connection;
        private final ReentrantLock turn = new ReentrantLock();

        Single(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection borrow() {
            turn.lock();
            return connection;
        }

        @Override
        public void giveBack(Connection given) {
            if (given != connection) {
                throw new IllegalArgumentException("not this database's connection");
            }
            turn.unlock();
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing: nothing is lost, SQLite's journal holds every commit
            }
        }
    }
}
