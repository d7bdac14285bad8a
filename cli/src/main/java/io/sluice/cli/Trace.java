package io.sluice.cli;

import java.time.Duration;
import java.time.Instant;

/** With SLUICE_TRACE=1, prints how long after process start each phase of a command ended: where startup time goes. */
final class Trace {
    private static final boolean ON = "1".equals(System.getenv("SLUICE_TRACE"));
    // SLUICE_TRACE_START (epoch ms, set by bin/sluice) counts the JVM's own start too
    private static final Instant START = ON ? start() : Instant.EPOCH;

    private static Instant start() {
        try {
            return Instant.ofEpochMilli(Long.parseLong(System.getenv("SLUICE_TRACE_START")));
        } catch (RuntimeException e) {
            return Instant.now();
        }
    }

    private Trace() {
    }

    /**
     * The CPU time each thread of this process used so far, from /proc (the JIT's compiler threads
     * and the garbage collector, which Java cannot see, included), biggest first.
     */
    static void threads() {
        if (!ON) {
            return;
        }
        record Use(String name, long ticks) {
        }
        java.util.List<Use> uses = new java.util.ArrayList<>();
        try (var dirs = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path dir : (Iterable<java.nio.file.Path>) dirs::iterator) {
                String stat = java.nio.file.Files.readString(dir.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields 14 and 15 of stat (user and system ticks), counted from the state field (3)
                uses.add(new Use(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12])));
            }
        } catch (java.io.IOException | RuntimeException e) {
            return;
        }
        uses.sort(java.util.Comparator.comparingLong(Use::ticks).reversed());
        StringBuilder line = new StringBuilder("trace cpu (10 ms ticks):");
        for (Use u : uses) {
            if (u.ticks() > 0) {
                line.append(' ').append(u.name()).append('=').append(u.ticks());
            }
        }
        System.err.println(line);
    }

    static void mark(String phase) {
        if (ON) {
            System.err.printf("trace %5d ms  %s%n", Duration.between(START, Instant.now()).toMillis(), phase);
        }
    }
}
