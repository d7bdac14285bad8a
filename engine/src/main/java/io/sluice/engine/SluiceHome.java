package io.sluice.engine;

import java.nio.file.Path;

/** Where a Sluice home keeps things: the database, run logs, and run workspaces. */
public record SluiceHome(Path root) {
    public SluiceHome {
        root = root.toAbsolutePath().normalize();
    }

    /** {@code --home}, else {@code $SLUICE_HOME}, else {@code ~/.sluice}. */
    public static SluiceHome resolve(String option, String environment) {
        if (option != null && !option.isBlank()) {
            return new SluiceHome(Path.of(option));
        }
        if (environment != null && !environment.isBlank()) {
            return new SluiceHome(Path.of(environment));
        }
        return new SluiceHome(Path.of(System.getProperty("user.home"), ".sluice"));
    }

    /** Logs, exit files and the journal of a run: kept after the run. */
    public Path runDir(String runId) {
        return root.resolve("runs").resolve(runId);
    }

    public Path workspaces() {
        return root.resolve("workspaces");
    }

    /** The run's workspace: deleted when the run ends. */
    public Path workspace(String runId) {
        return workspaces().resolve(runId);
    }

    public Path journal(String runId) {
        return runDir(runId).resolve("run.log");
    }

    public Path log(String runId, String name, int attempt) {
        return runDir(runId).resolve(name + "." + attempt + ".log");
    }

    public Path exitFile(String runId, String name, int attempt) {
        return runDir(runId).resolve(name + "." + attempt + ".exit");
    }
}
