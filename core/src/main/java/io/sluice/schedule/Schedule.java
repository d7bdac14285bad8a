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

    /** The first fire time strictly after {@code t}, in t's zone. */
    public Optional<ZonedDateTime> nextAfter(ZonedDateTime t) {
        return executionTime.nextExecution(t);
    }

    /** The last fire time strictly before {@code t}, in t's zone. */
    public Optional<ZonedDateTime> lastBefore(ZonedDateTime t) {
        return executionTime.lastExecution(t);
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
