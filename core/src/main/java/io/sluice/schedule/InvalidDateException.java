package io.sluice.schedule;

/** A date a user gave (for example with --date) that names no interval of the pipeline. */
public final class InvalidDateException extends Exception {
    public InvalidDateException(String message) {
        super(message);
    }
}
