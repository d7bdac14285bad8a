package io.sluice.cli;

import java.nio.file.Path;

/**
 * Decides where the log file goes before anything logs: {@code HOME/logs/sluice.log} of the home
 * the command will use. Commands print one-line errors; the details land there.
 */
final class LoggingSetup {
    static final String PROPERTY = "sluice.log.file";

    private LoggingSetup() {
    }

    static void prepare(String[] args) {
        String home = homeOption(args);
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, homeFor(home).resolve("logs").resolve("sluice.log").toString());
        }
    }

    /** The value of --home, or null. */
    static String homeOption(String[] args) {
        String home = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--home") && i + 1 < args.length) {
                home = args[i + 1];
            } else if (args[i].startsWith("--home=")) {
                home = args[i].substring("--home=".length());
            }
        }
        return home;
    }

    static Path homeFor(String option) {
        return io.sluice.engine.SluiceHome.resolve(option, System.getenv("SLUICE_HOME")).root();
    }

    static String logFile() {
        String file = System.getProperty(PROPERTY);
        return file == null ? "the Sluice log" : file;
    }
}
