package io.sluice.cli;

import io.sluice.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A home's database opened on a thread of its own while the command line is still being parsed:
 * a cold JVM takes 40-100 ms to open SQLite, about what parsing takes, and on two cores the two
 * overlap. Started only for a dev run of a pipeline directory on a home that exists, which the run
 * opens anyway.
 */
final class DatabaseAhead {
    /** By home: tests run several commands at once in one JVM. */
    private static final java.util.Map<Path, CompletableFuture<Database>> OPENING = new java.util.HashMap<>();

    private DatabaseAhead() {
    }

    /** Starts opening {@code homeDir}'s database when {@code args} ask for {@code sluice run DIR} on this machine. */
    static void startFor(String[] args, Path homeDir) {
        if (System.getenv("SLUICE_SERVER") == null && System.getenv("SLUICE_DB_URL") == null && runDirectory(args).isPresent()) {
            start(homeDir);
        }
    }

    /** The pipeline directory of {@code sluice run DIR} (as typed), when {@code args} are that and it exists. */
    static Optional<String> runDirectory(String[] args) {
        boolean run = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--server") || a.startsWith("--server=") || a.equals("--help") || a.equals("-h")) {
                return Optional.empty();
            }
            if (!run) {
                if (a.equals("--home")) {
                    i++;
                } else if (!a.startsWith("-")) {
                    if (!a.equals("run")) {
                        return Optional.empty();
                    }
                    run = true;
                }
            } else if (!a.startsWith("-")) {
                return Files.isRegularFile(Path.of(a).resolve("pipeline.yaml")) ? Optional.of(a) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    static synchronized void start(Path homeDir) {
        if (OPENING.containsKey(homeDir) || !Files.isRegularFile(homeDir.resolve("sluice.db"))) {
            return; // a new home is made by the command itself, only if it gets that far
        }
        CompletableFuture<Database> future = new CompletableFuture<>();
        OPENING.put(homeDir, future);
        Thread.ofPlatform().daemon().name("sluice-open-home").start(() -> {
            try {
                future.complete(Database.forCommand(homeDir));
                Trace.mark("database opened (ahead)");
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        });
    }

    /** The database of {@code homeDir} if it was opened ahead, waiting for it; its opening's error surfaces here. */
    static Optional<Database> take(Path homeDir) {
        CompletableFuture<Database> future;
        synchronized (DatabaseAhead.class) {
            future = OPENING.remove(homeDir);
        }
        if (future == null) {
            return Optional.empty();
        }
        return Optional.of(joined(future));
    }

    /** What {@code future} gives once done; what went wrong on its thread is thrown here as it was thrown there. */
    static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Closes a database opened ahead that no command took (the command failed before it needed
     * it), once it is open: nothing of the command goes on after it has returned.
     */
    static void discard(Path homeDir) {
        CompletableFuture<Database> future;
        synchronized (DatabaseAhead.class) {
            future = OPENING.remove(homeDir);
        }
        if (future != null) {
            try {
                future.join().close();
            } catch (CompletionException e) {
                // it did not open; the command that wanted it has already said what was wrong
            }
        }
    }
}
