package io.sluice.cli;

/** A problem the user can fix, shown as one line on stderr with its exit code (SPEC §6). */
final class UserError extends RuntimeException {
    static final int BAD = 1;
    static final int USAGE = 2;

    private final int exitCode;

    UserError(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static UserError usage(String message) {
        return new UserError(USAGE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
