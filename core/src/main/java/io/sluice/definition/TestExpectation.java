package io.sluice.definition;

import io.sluice.run.RunState;
import io.sluice.run.TaskState;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code expect} block of a test. */
public record TestExpectation(
        Optional<RunState> state,
        Map<String, TaskState> tasks,
        List<FileExpectation> files,
        Optional<String> playbook) {
}
