package io.sluice.executor;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the launcher with posix_spawn through a small JNI library (spawn.c), built with the
 * launcher where there is a C compiler. The JDK's ProcessBuilder would do, but its first start
 * in a JVM looks for a System.Logger provider in every jar on the class path, 30-60 ms of a cold
 * {@code sluice run}. Without the library, LauncherProcess uses ProcessBuilder.
 */
final class NativeSpawn {
    static final String LIBRARY = "libsluicespawn.so";
    private static final boolean LOADED = load();

    private NativeSpawn() {
    }

    private static boolean load() {
        Optional<Path> library = NativeLauncher.find(LIBRARY);
        if (library.isEmpty()) {
            return false;
        }
        try {
            System.load(library.get().toString());
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false; // built for another machine
        }
    }

    static boolean available() {
        return LOADED;
    }

    /** {@code program}, without arguments, with {@code environment}, its stdin and stdout pipes to us. */
    static Child start(Path program, Map<String, String> environment) throws IOException {
        byte[][] env = new byte[environment.size()][];
        int i = 0;
        for (Map.Entry<String, String> e : environment.entrySet()) {
            env[i++] = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8);
        }
        long[] started = spawn(program.toString().getBytes(StandardCharsets.UTF_8), env);
        return new Child(started[0], new FileOutputStream(descriptor((int) started[1])),
                new FileInputStream(descriptor((int) started[2])));
    }

    /** A process started here: a thread of its own waits for it and reaps it, so no zombie is left in a long-lived JVM. */
    static final class Child {
        private final long pid;
        private final OutputStream stdin;
        private final InputStream stdout;
        private final CompletableFuture<Integer> ended = new CompletableFuture<>();

        private Child(long pid, OutputStream stdin, InputStream stdout) {
            this.pid = pid;
            this.stdin = stdin;
            this.stdout = stdout;
            Thread.ofPlatform().daemon().name("sluice-launcher-reaper").start(() -> ended.complete(awaitExit(pid)));
        }

        long pid() {
            return pid;
        }

        OutputStream stdin() {
            return stdin;
        }

        InputStream stdout() {
            return stdout;
        }

        /** Waits up to {@code timeout} for it to end; true once it has. */
        boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                ended.get(timeout, unit);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                return true; // the reaper cannot fail; if it did, there is nothing left to wait for
            }
        }
    }

    private static native long[] spawn(byte[] program, byte[][] environment) throws IOException;

    private static native FileDescriptor descriptor(int fd);

    /** Blocks until child {@code pid} ends, reaping it; its exit status. */
    private static native int awaitExit(long pid);
}
