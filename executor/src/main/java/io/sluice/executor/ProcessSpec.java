package io.sluice.executor;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run for a run: the shell text, where, with which environment, where its output and
 * exit status go, and the marker that finds its processes later. A command that
 * {@code keepsBackground} (a run's setup, which may start services for the tasks) leaves its
 * background processes running when it exits; the sweep at the end of the run removes them.
 */
public record ProcessSpec(String command, Path workdir, Map<String, String> environment, Path log, Path exitFile, String marker,
                          boolean keepsBackground) {
    public ProcessSpec {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(workdir, "workdir");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(exitFile, "exitFile");
        Objects.requireNonNull(marker, "marker");
    }
}
