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

    static void mark(String phase) {
        if (ON) {
            System.err.printf("trace %5d ms  %s%n", Duration.between(START, Instant.now()).toMillis(), phase);
        }
    }
}
