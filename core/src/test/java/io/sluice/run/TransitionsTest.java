package io.sluice.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransitionsTest {

    /** Every legal (state, event) pair of tasks; every other pair must throw. */
    private static final Map<TaskState, Map<TaskEvent, TaskState>> TASK = Map.of(
            TaskState.PENDING, Map.of(TaskEvent.WAIT, TaskState.WAITING, TaskEvent.START, TaskState.RUNNING,
                    TaskEvent.UPSTREAM_FAIL, TaskState.UPSTREAM_FAILED, TaskEvent.CANCEL, TaskState.CANCELLED),
            TaskState.WAITING, Map.of(TaskEvent.START, TaskState.RUNNING, TaskEvent.UPSTREAM_FAIL, TaskState.UPSTREAM_FAILED,
                    TaskEvent.CANCEL, TaskState.CANCELLED),
            TaskState.RUNNING, Map.of(TaskEvent.SUCCEED, TaskState.SUCCEEDED, TaskEvent.FAIL, TaskState.FAILED,
                    TaskEvent.TIME_OUT, TaskState.TIMED_OUT, TaskEvent.RETRY, TaskState.RETRYING, TaskEvent.CANCEL, TaskState.CANCELLED),
            TaskState.RETRYING, Map.of(TaskEvent.WAIT, TaskState.WAITING, TaskEvent.START, TaskState.RUNNING,
                    TaskEvent.CANCEL, TaskState.CANCELLED),
            TaskState.SUCCEEDED, Map.of(TaskEvent.CLEAR, TaskState.PENDING),
            TaskState.FAILED, Map.of(TaskEvent.CLEAR, TaskState.PENDING),
            TaskState.TIMED_OUT, Map.of(TaskEvent.CLEAR, TaskState.PENDING),
            TaskState.UPSTREAM_FAILED, Map.of(TaskEvent.CLEAR, TaskState.PENDING),
            TaskState.CANCELLED, Map.of(TaskEvent.CLEAR, TaskState.PENDING));

    private static final Map<RunState, Map<RunEvent, RunState>> RUN = Map.of(
            RunState.QUEUED, Map.of(RunEvent.WAIT, RunState.WAITING, RunEvent.START, RunState.RUNNING,
                    RunEvent.SKIP, RunState.SKIPPED, RunEvent.CANCEL, RunState.CANCELLED),
            RunState.WAITING, Map.of(RunEvent.START, RunState.RUNNING, RunEvent.CANCEL, RunState.CANCELLED),
            RunState.RUNNING, Map.of(RunEvent.SUCCEED, RunState.SUCCEEDED, RunEvent.FAIL, RunState.FAILED,
                    RunEvent.TIME_OUT, RunState.TIMED_OUT, RunEvent.CANCEL, RunState.CANCELLED),
            RunState.SUCCEEDED, Map.of(RunEvent.CLEAR, RunState.QUEUED),
            RunState.FAILED, Map.of(RunEvent.CLEAR, RunState.QUEUED),
            RunState.TIMED_OUT, Map.of(RunEvent.CLEAR, RunState.QUEUED),
            RunState.CANCELLED, Map.of(RunEvent.CLEAR, RunState.QUEUED),
            RunState.SKIPPED, Map.of());

    @Test
    void everyTaskStateAndEventPairIsLegalExactlyWhenTheTableSaysSo() {
        for (TaskState from : TaskState.values()) {
            for (TaskEvent event : TaskEvent.values()) {
                TaskState expected = TASK.getOrDefault(from, Map.of()).get(event);
                if (expected == null) {
                    assertThatThrownBy(() -> Transitions.TASK.apply(from, event))
                            .as("%s on %s", from, event).isInstanceOf(IllegalTransitionException.class);
                } else {
                    assertThat(Transitions.TASK.apply(from, event)).as("%s on %s", from, event).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void everyRunStateAndEventPairIsLegalExactlyWhenTheTableSaysSo() {
        for (RunState from : RunState.values()) {
            for (RunEvent event : RunEvent.values()) {
                RunState expected = RUN.getOrDefault(from, Map.of()).get(event);
                if (expected == null) {
                    assertThatThrownBy(() -> Transitions.RUN.apply(from, event))
                            .as("%s on %s", from, event).isInstanceOf(IllegalTransitionException.class);
                } else {
                    assertThat(Transitions.RUN.apply(from, event)).as("%s on %s", from, event).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void onlyAClearLeavesATerminalState() {
        for (var t : Transitions.TASK.transitions()) {
            if (t.from().isTerminal()) {
                assertThat(t.event()).isEqualTo(TaskEvent.CLEAR);
            }
        }
        for (var t : Transitions.RUN.transitions()) {
            if (t.from().isTerminal()) {
                assertThat(t.event()).isEqualTo(RunEvent.CLEAR);
            }
        }
    }

    @Test
    void terminalStatesAreTheOnesSpecFourCallsFinal() {
        assertThat(Set.of(TaskState.values()).stream().filter(TaskState::isTerminal))
                .containsExactlyInAnyOrder(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.TIMED_OUT,
                        TaskState.UPSTREAM_FAILED, TaskState.CANCELLED);
        assertThat(Set.of(RunState.values()).stream().filter(RunState::isTerminal))
                .containsExactlyInAnyOrder(RunState.SUCCEEDED, RunState.FAILED, RunState.TIMED_OUT,
                        RunState.CANCELLED, RunState.SKIPPED);
    }

    /**
     * docs/states.md is drawn from the tables. If this fails, the tables changed: regenerate it with
     * {@code ./mvnw -pl core test -Dtest=TransitionsTest -Dsluice.updateDocs=true} and commit it.
     */
    @Test
    void theStateDiagramsInDocsMatchTheTables() throws IOException {
        String expected = StateDiagrams.markdown();
        Path docs = locateDocs().resolve("states.md");
        if (Boolean.getBoolean("sluice.updateDocs") || !Files.exists(docs)) {
            Files.createDirectories(docs.getParent());
            Files.writeString(docs, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(docs, StandardCharsets.UTF_8))
                .as("docs/states.md is out of date: rerun with -Dsluice.updateDocs=true")
                .isEqualTo(expected);
    }

    private static Path locateDocs() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        return (dir == null ? Path.of("").toAbsolutePath() : dir).resolve("docs");
    }
}
