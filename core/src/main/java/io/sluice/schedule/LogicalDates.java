package io.sluice.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Data intervals and logical dates of manual runs (SPEC §2): a manual run takes {@code --date},
 * by default the start of the latest complete interval (today for an unscheduled pipeline).
 *
 * <p>A date must name an interval exactly: for a scheduled pipeline, a date is the interval that
 * starts on that day (its first start that day), a date-time must be a start of the schedule.
 * An unscheduled pipeline's interval is the calendar day in its time zone.
 */
public final class LogicalDates {
    private LogicalDates() {
    }

    public static Interval manual(Optional<Schedule> schedule, ZoneId zone, Optional<String> date, Instant now)
            throws InvalidDateException {
        if (schedule.isEmpty()) {
            LocalDate day = date.isPresent() ? parseDay(date.get()) : now.atZone(zone).toLocalDate();
            return new Interval(day.atStartOfDay(zone).toInstant(), day.plusDays(1).atStartOfDay(zone).toInstant());
        }
        Schedule s = schedule.get();
        if (date.isEmpty()) {
            return latestComplete(s, zone, now);
        }
        String text = date.get().trim();
        if (text.length() == 10) {
            LocalDate day = parseDay(text);
            ZonedDateTime start = s.nextAfter(day.atStartOfDay(zone).minusSeconds(1))
                    .orElseThrow(() -> new InvalidDateException("schedule '" + s + "' never fires after " + text));
            if (!start.toLocalDate().equals(day)) {
                throw new InvalidDateException("no interval of schedule '" + s + "' starts on " + text
                        + "; the next one starts at " + start.toOffsetDateTime());
            }
            return intervalStartingAt(s, start);
        }
        ZonedDateTime start = parseDateTime(text, zone);
        if (!s.firesAt(start)) {
            String next = s.nextAfter(start).map(n -> n.toOffsetDateTime().toString()).orElse("none");
            throw new InvalidDateException(text + " is not a start of schedule '" + s + "' (the next start is " + next + ")");
        }
        return intervalStartingAt(s, start);
    }

    /** The interval that starts at {@code start}, a fire time of {@code schedule}. */
    public static Interval intervalStartingAt(Schedule schedule, ZonedDateTime start) throws InvalidDateException {
        ZonedDateTime end = schedule.nextAfter(start)
                .orElseThrow(() -> new InvalidDateException("schedule '" + schedule + "' never fires after " + start));
        return new Interval(start.toInstant(), end.toInstant());
    }

    /** The latest interval that has ended by {@code now}. */
    public static Interval latestComplete(Schedule s, ZoneId zone, Instant now) throws InvalidDateException {
        ZonedDateTime at = now.atZone(zone);
        ZonedDateTime end = s.firesAt(at) ? at : s.lastBefore(at)
                .orElseThrow(() -> new InvalidDateException("schedule '" + s + "' has not fired yet"));
        ZonedDateTime start = s.lastBefore(end)
                .orElseThrow(() -> new InvalidDateException("schedule '" + s + "' has no complete interval yet"));
        return new Interval(start.toInstant(), end.toInstant());
    }

    /** The logical date as tasks see it: {@code YYYY-MM-DD}, or an ISO date-time for sub-daily schedules. */
    public static String format(Interval interval, Optional<Schedule> schedule, ZoneId zone) {
        ZonedDateTime start = interval.start().atZone(zone);
        if (schedule.isPresent() && schedule.get().isSubDaily()) {
            return start.toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        }
        return start.toLocalDate().toString();
    }

    public static LocalDate parseDay(String text) throws InvalidDateException {
        try {
            return LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidDateException("bad date '" + text + "': use YYYY-MM-DD");
        }
    }

    private static ZonedDateTime parseDateTime(String text, ZoneId zone) throws InvalidDateException {
        try {
            return OffsetDateTime.parse(text).atZoneSameInstant(zone);
        } catch (DateTimeParseException notOffset) {
            try {
                return LocalDateTime.parse(text).atZone(zone);
            } catch (DateTimeParseException e) {
                throw new InvalidDateException("bad date '" + text + "': use YYYY-MM-DD or YYYY-MM-DDTHH:MM");
            }
        }
    }
}
