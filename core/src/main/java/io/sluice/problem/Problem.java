package io.sluice.problem;

import java.util.Objects;

/** One thing wrong with a file a user wrote, with where it is. Lines and columns count from 1. */
public record Problem(String file, int line, int column, Severity severity, String message) {

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        line = Math.max(1, line);
        column = Math.max(1, column);
    }

    public static Problem error(String file, int line, int column, String message) {
        return new Problem(file, line, column, Severity.ERROR, message);
    }

    public static Problem warning(String file, int line, int column, String message) {
        return new Problem(file, line, column, Severity.WARNING, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** The {@code FILE:LINE:COL: message} form that editors and CI annotate. */
    public String render() {
        String prefix = file + ":" + line + ":" + column + ": ";
        return severity == Severity.WARNING ? prefix + "warning: " + message : prefix + message;
    }

    @Override
    public String toString() {
        return render();
    }
}
