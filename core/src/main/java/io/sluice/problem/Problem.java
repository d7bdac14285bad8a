package io.sluice.problem;

import java.util.Objects;

/** One thing wrong with a file a user wrote, with where it is. Lines and columns count from 1. */
public record Problem(String file, int line, int column, Severity severity, String message) {

    /**
     * File, then line, then column. Written out rather than built with {@code Comparator.comparing}:
     * the lambdas inside the JDK's combinators are spun at run time, not taken from the AOT cache,
     * and every {@code sluice run} sorts problems.
     */
    public static final java.util.Comparator<Problem> ORDER = (a, b) -> {
        int byFile = a.file.compareTo(b.file);
        if (byFile != 0) {
            return byFile;
        }
        return a.line != b.line ? Integer.compare(a.line, b.line) : Integer.compare(a.column, b.column);
    };

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
