package io.sluice.cli;

import java.io.Console;

/** Whether output goes to a person at a terminal (live progress, colour) or to a file or pipe (plain lines). */
final class Terminal {
    private Terminal() {
    }

    static boolean isInteractive() {
        if (System.getenv("NO_COLOR") != null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22+ returns a console even when redirected; isTerminal() tells the truth there
            return (boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
