package io.sluice.definition;

import java.util.Optional;

/** The {@code environment} block: where tasks run and the commands that set up and tear down a run's resources. */
public record RunEnvironment(ExecutorKind executor, Optional<String> image, Optional<String> setup, Optional<String> teardown) {
    public static final RunEnvironment LOCAL = new RunEnvironment(ExecutorKind.LOCAL, Optional.empty(), Optional.empty(), Optional.empty());
}
