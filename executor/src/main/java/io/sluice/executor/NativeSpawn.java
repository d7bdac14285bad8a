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
import java.util.concurrent.TimeUnit;

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

    /** A process started here: only this class reaps it. */
    static final class Child {
        private final long pid;
        private final OutputStream stdin;
        private final InputStream stdout;
        private volatile boolean reaped;

        private Child(long pid, OutputStream stdin, InputStream stdout) {
            this.pid = pid;
            this.stdin = stdin;
            this.stdout = stdout;
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

        /** Waits up to {@code timeout} for it to end; true once it has (and is reaped). */
        synchronized boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (!reaped) {
                if (poll(pid) != -1) {
                    reaped = true;
                    break;
                }
                if (System.nanoTime() >= deadline) {
                    return false;
                }
                Thread.sleep(5);
            }
            return true;
        }

        /** Reaps it whenever it ends, on a thread of its own, so that no zombie is left in a long-lived JVM. */
        void reapLater() {
            if (reaped) {
                return;
            }
            Thread.ofPlatform().daemon().name("sluice-launcher-reaper").start(() -> {
                try {
                    while (!waitFor(1, TimeUnit.SECONDS)) {
                        // it ends once its last command has
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private static native long[] spawn(byte[] program, byte[][] environment) throws IOException;

    private static native FileDescriptor descriptor(int fd);

    private static native int poll(long pid);
}
