package io.sluice.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One server per home: an exclusive lock on {@code HOME/server.lock}, held while the server runs
 * (the operating system drops it if the process dies), and {@code HOME/server.json} saying where
 * the server listens, so that CLI commands on the same home can find it.
 */
public final class ServerLock implements AutoCloseable {
    public static final String INFO = "server.json";

    private final FileChannel channel;
    private final FileLock lock;
    private final Path home;

    private ServerLock(Path home, FileChannel channel, FileLock lock) {
        this.home = home;
        this.channel = channel;
        this.lock = lock;
    }

    /** No lock: for servers that share a database (and may share a home); server.json names the latest to start. */
    public static ServerLock shared(Path home) throws IOException {
        Files.createDirectories(home);
        return new ServerLock(home, null, null);
    }

    /** Takes the lock, or empty when another server holds it. */
    public static Optional<ServerLock> acquire(Path home) throws IOException {
        Files.createDirectories(home);
        FileChannel channel = FileChannel.open(home.resolve("server.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        return Optional.of(new ServerLock(home, channel, lock));
    }

    public void publish(String url) throws IOException {
        long pid = ProcessHandle.current().pid();
        String start = io.sluice.executor.ProcTable.startTime(pid).orElse("");
        String json = "{\"url\": \"" + url + "\", \"pid\": " + pid + ", \"start\": \"" + start + "\"}\n";
        Path tmp = home.resolve(INFO + ".tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, home.resolve(INFO), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws IOException {
        if (lock == null) {
            // a shared home: remove server.json only if it still names this server
            Path info = home.resolve(INFO);
            if (Files.exists(info) && Files.readString(info).contains("\"pid\": " + ProcessHandle.current().pid() + ",")) {
                Files.deleteIfExists(info);
            }
            return;
        }
        Files.deleteIfExists(home.resolve(INFO));
        lock.release();
        channel.close();
    }
}
