package io.sluice.executor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads Linux's /proc: which processes exist, when each started, and what environment it began with. */
public final class ProcTable {
    private static final Path PROC = Path.of("/proc");
    private static final long PF_KTHREAD = 0x00200000L;

    private ProcTable() {
    }

    public static List<Long> pids() {
        String[] names = PROC.toFile().list();
        if (names == null) {
            throw new ExecutorException("cannot list /proc");
        }
        List<Long> pids = new ArrayList<>(names.length);
        for (String name : names) {
            if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                try {
                    pids.add(Long.parseLong(name));
                } catch (NumberFormatException ignored) {
                    // not a process directory
                }
            }
        }
        return pids;
    }

    /** The process's start time in clock ticks since boot: with the pid, it names one process even after pid reuse. */
    public static Optional<String> startTime(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            // the command name (field 2) may contain spaces and parentheses: count fields after its last ')'
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(fields[19]);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the process {@code pid} that started at {@code startTime} still exists (and is not a zombie). */
    public static boolean isAlive(long pid, String startTime) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields[19].equals(startTime) && !fields[0].equals("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The parent pid of {@code pid}, or -1 when it is gone. */
    public static long parentOf(long pid) {
        return statField(pid, 1);
    }

    /** The session id of {@code pid}, or -1 when it is gone. */
    public static long sessionOf(long pid) {
        return statField(pid, 3);
    }

    /** A numeric field of /proc/PID/stat, counted from the state (0) after the command name. */
    private static long statField(long pid, int index) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[index]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether {@code pid} exists and is not a zombie. */
    public static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The value of {@code name} in the environment the process started with, if readable. */
    public static Optional<String> environmentValue(long pid, String name) {
        byte[] environ;
        java.io.File file = new java.io.File("/proc/" + pid + "/environ");
        if (!file.exists()) {
            return Optional.empty(); // gone: most pids of a sweep's window are, and an exception per pid costs
        }
        try {
            environ = Files.readAllBytes(file.toPath());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        byte[] key = (name + "=").getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start >= key.length && startsWith(environ, start, key)) {
                    return Optional.of(new String(environ, start + key.length, i - start - key.length, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code pid} is a running user process whose environment reads as empty: true for the
     * moment of an exec (and for the rare process started with no environment at all); false for
     * kernel threads, zombies and processes that are gone.
     */
    public static boolean hasEmptyEnvironment(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (fields[0].equals("Z") || (Long.parseLong(fields[6]) & PF_KTHREAD) != 0) {
                return false;
            }
            return Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ")).length == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            String text = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            return text.length() > 120 ? text.substring(0, 117) + "..." : text;
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The last pid the kernel handed out, to bound a scan to the processes born after some point. */
    public static Optional<Long> lastPid() {
        try {
            // Files.readString gets one byte of this sysctl file on JDK 25 (it trusts the reported size of
            // 0 and reads once); a stream read to the end gets all of it.
            try (var in = Files.newInputStream(PROC.resolve("sys/kernel/ns_last_pid"))) {
                return Optional.of(Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim()));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (data[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
