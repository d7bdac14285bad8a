package io.sluice.cli;

import io.sluice.store.StoreException;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;

/** Turns an exception from a command into one line on stderr and an exit code; stack traces go to the log file. */
final class Failures {
    private Failures() {
    }

    /** SQLITE_BUSY or SQLITE_LOCKED anywhere in the cause chain. */
    static boolean isBusy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("SQLITE_BUSY") || m.contains("SQLITE_LOCKED") || m.contains("database is locked")) {
                return true;
            }
        }
        return false;
    }

    /** An exception's kind and the first line of its message, at most 300 characters. */
    static String oneLine(Object e) {
        String text = String.valueOf(e);
        int newline = text.indexOf('\n');
        if (newline >= 0) {
            text = text.substring(0, newline);
        }
        return text.length() > 300 ? text.substring(0, 297) + "..." : text;
    }

    static int report(Exception e, PrintWriter err) {
        if (e instanceof UserError u) {
            err.println("sluice: " + u.getMessage());
            err.flush();
            return u.exitCode();
        }
        if (e instanceof io.sluice.store.UnsupportedDatabaseUrlException u) {
            err.println("sluice: " + u.getMessage());
            err.flush();
            return UserError.USAGE;
        }
        if (e instanceof StoreException s && !isBusy(e)) {
            LoggerFactory.getLogger(Failures.class).error("store failure", e);
            err.println("sluice: " + oneLine(s.getMessage()));
            err.flush();
            return UserError.BAD;
        }
        if (isBusy(e)) {
            LoggerFactory.getLogger(Failures.class).error("database busy", e);
            err.println("sluice: the database is busy: another process has held a write lock for over 30 s;"
                    + " try again (docs/operations.md)");
            err.flush();
            return UserError.BAD;
        }
        LoggerFactory.getLogger(Failures.class).error("internal error", e);
        err.println("sluice: internal error: " + oneLine(e) + " (details in " + LoggingSetup.logFile() + ")");
        err.flush();
        return UserError.BAD;
    }
}
