package io.sluice.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When a pipeline runs: a 5-field cron expression or an {@code @} shorthand. Wraps cron-utils so
 * that the rest of Sluice never sees its types.
 */
public final class Schedule {
    private static final CronDefinition UNIX = CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX);
    private static final Map<String, String> SHORTHANDS = Map.of(
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *",
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");

    private final String expression;
    private final ExecutionTime executionTime;
    private final boolean subDaily;

    private Schedule(String expression, ExecutionTime executionTime) {
        this.expression = expression;
        this.executionTime = executionTime;
        this.subDaily = firesTwiceOnSomeDay();
    }

    public static Schedule parse(String expression) throws InvalidScheduleException {
        String trimmed = expression.trim();
        String cronText = trimmed.startsWith("@") ? SHORTHANDS.get(trimmed) : trimmed;
        if (cronText == null) {
            throw new InvalidScheduleException("unknown schedule shorthand '" + trimmed
                    + "'; use @hourly, @daily, @weekly, @monthly, @yearly or 5-field cron");
        }
        if (cronText.split("\\s+").length != 5) {
            throw new InvalidScheduleException("'" + trimmed
                    + "' is not 5-field cron (minute hour day-of-month month day-of-week)");
        }
        try {
            Cron cron = new CronParser(UNIX).parse(cronText).validate();
            return new Schedule(trimmed, ExecutionTime.forCron(cron));
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage() == null ? "invalid" : e.getMessage().replaceAll("\\s+", " ")
                    .replace("Failed to parse cron expression. ", "").trim();
            if (!reason.isEmpty()) {
                reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
            }
            throw new InvalidScheduleException("bad cron '" + trimmed + "': " + reason);
        }
    }

    public String expression() {
        return expression;
    }

    /**
     * The first fire time strictly after {@code t}, in t's zone.
     *
     * <p>Daylight saving (docs/decisions.md): the cron expression is matched against wall-clock
     * time, and each matching wall-clock time fires exactly once. One that falls in a spring-forward
     * gap fires as the zone resolves it, later by the length of the gap (02:30 becomes 03:30), so no
     * day loses its run; one that occurs twice in a fall-back overlap fires at its first occurrence.
     * Intervals between fires therefore cover every instant exactly once.
     */
    public Optional<ZonedDateTime> nextAfter(ZonedDateTime t) {
        ZoneId zone = t.getZone();
        ZonedDateTime wall = t.toLocalDateTime().minusHours(3).atZone(ZoneOffset.UTC);
        for (int i = 0; i < 10_000; i++) {
            Optional<ZonedDateTime> next = executionTime.nextExecution(wall);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            wall = next.get();
            ZonedDateTime fire = ZonedDateTime.ofLocal(wall.toLocalDateTime(), zone, null);
            if (fire.toInstant().isAfter(t.toInstant())) {
                return Optional.of(fire);
            }
        }
        return Optional.empty();
    }

    /** The last fire time strictly before {@code t}, in t's zone; the same policy as {@link #nextAfter}. */
    public Optional<ZonedDateTime> lastBefore(ZonedDateTime t) {
        ZoneId zone = t.getZone();
        ZonedDateTime wall = t.toLocalDateTime().plusHours(3).atZone(ZoneOffset.UTC);
        for (int i = 0; i < 10_000; i++) {
            Optional<ZonedDateTime> previous = executionTime.lastExecution(wall);
            if (previous.isEmpty()) {
                return Optional.empty();
            }
            wall = previous.get();
            ZonedDateTime fire = ZonedDateTime.ofLocal(wall.toLocalDateTime(), zone, null);
            if (fire.toInstant().isBefore(t.toInstant()) && isFirstOccurrence(wall, zone)) {
                return Optional.of(fire);
            }
        }
        return Optional.empty();
    }

    /** In a gap two wall-clock times can land on one instant; only the earlier wall-clock time fires. */
    private boolean isFirstOccurrence(ZonedDateTime wall, ZoneId zone) {
        ZonedDateTime fire = ZonedDateTime.ofLocal(wall.toLocalDateTime(), zone, null);
        Optional<ZonedDateTime> before = executionTime.lastExecution(wall);
        return before.isEmpty() || !ZonedDateTime.ofLocal(before.get().toLocalDateTime(), zone, null).toInstant().equals(fire.toInstant());
    }

    /** Whether the schedule fires exactly at {@code t}. */
    public boolean firesAt(ZonedDateTime t) {
        return nextAfter(t.minusSeconds(1)).map(n -> n.toInstant().equals(t.toInstant())).orElse(false);
    }

    /** True when some day has more than one fire: logical dates then carry a time of day. */
    public boolean isSubDaily() {
        return subDaily;
    }

    private boolean firesTwiceOnSomeDay() {
        ZonedDateTime t = LocalDate.of(2024, 1, 1).atStartOfDay(ZoneOffset.UTC);
        LocalDate previous = null;
        for (int i = 0; i < 64; i++) {
            Optional<ZonedDateTime> next = nextAfter(t);
            if (next.isEmpty()) {
                return false;
            }
            t = next.get();
            if (t.toLocalDate().equals(previous)) {
                return true;
            }
            previous = t.toLocalDate();
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule s && s.expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return Objects.hash(expression);
    }

    @Override
    public String toString() {
        return expression;
    }

    /** A zone-aware helper for tests and callers that hold an instant. */
    public Optional<ZonedDateTime> nextAfter(java.time.Instant t, ZoneId zone) {
        return nextAfter(t.atZone(zone));
    }
}
