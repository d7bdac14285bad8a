package io.sluice.schedule;

import java.time.Instant;
import java.util.Objects;

/** A data interval {@code [start, end)}; a run's logical date is its start. */
public record Interval(Instant start, Instant end) {
    public Interval {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("interval end " + end + " is not after start " + start);
        }
    }
}
