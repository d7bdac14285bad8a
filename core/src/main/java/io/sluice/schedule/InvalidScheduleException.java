package io.sluice.schedule;

/** A schedule expression that is not 5-field cron nor a known {@code @} shorthand. */
public final class InvalidScheduleException extends Exception {
    public InvalidScheduleException(String message) {
        super(message);
    }
}
