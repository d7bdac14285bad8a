package io.sluice.cli;

import io.sluice.store.StoreException;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;

/** Turns an exception from a command into one line on stderr and an exit code; stack traces go to the log file. */
final class Failures {
    private Failures() {
    }

    static int report(Exception e, PrintWriter err) {
        if (e instanceof UserError u) {
            err.println("sluice: " + u.getMessage());
            err.flush();
            return u.exitCode();
        }
        if (e instanceof StoreException s) {
            LoggerFactory.getLogger(Failures.class).error("store failure", e);
            err.println("sluice: " + s.getMessage());
            err.flush();
            return UserError.BAD;
        }
        LoggerFactory.getLogger(Failures.class).error("internal error", e);
        err.println("sluice: internal error: " + e + " (details in " + LoggingSetup.logFile() + ")");
        err.flush();
        return UserError.BAD;
    }
}
