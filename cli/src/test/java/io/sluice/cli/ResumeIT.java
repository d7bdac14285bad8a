package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.definition.Resources;
import io.sluice.engine.RunDriver;
import io.sluice.engine.RunListener;
import io.sluice.engine.RunSpec;
import io.sluice.engine.SluiceHome;
import io.sluice.executor.LocalExecutor;
import io.sluice.executor.ProcTable;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.pipeline.PipelineLoader;
import io.sluice.run.RunState;
import io.sluice.run.StepState;
import io.sluice.run.TaskState;
import io.sluice.schedule.Interval;
import io.sluice.store.Database;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.TaskRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the process driving a run, then another process takes the run over. */
class ResumeIT {
    @TempDir
    Path tmp;

    private Path pipeline(String taskA) throws Exception {
        Path dir = tmp.resolve("p");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), """
                id: crashy
                environment:
                  setup: 'echo "TOKEN=from-setup" >> "$SLUICE_ENV"'
                  teardown: 'echo "down $SLUICE_RUN_ID" >> "$MARKS/teardowns"'
                tasks:
                  - id: a
                    retries: 1
                    retry_delay: 100ms
                    run: '%s'
                  - {id: b, needs: [a], run: 'test "$TOKEN" = from-setup && echo b >> "$MARKS/b"'}
                """.formatted(taskA));
        return dir;
    }

    private Process startRun(Path dir, Path home, Path marks) throws Exception {
        Path repo = CliRunner.examples().getParent();
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/sluice").toString(), "--home", home.toString(), "run", dir.toString())
                .redirectOutput(tmp.resolve("out.txt").toFile()).redirectErrorStream(true);
        pb.environment().put("MARKS", marks.toString());
        return pb.start();
    }

    private RunRecord resume(Path dir, Path home, Path marks, String runId) throws Exception {
        LoadedPipeline loaded = PipelineLoader.load(dir, dir.toString());
        try (Database db = Database.open(home); LocalExecutor executor = new LocalExecutor()) {
            RunStore store = new RunStore(db, Clock.systemUTC());
            RunRecord before = store.run(runId);
            RunSpec spec = new RunSpec(loaded.pipeline().orElseThrow(), loaded.files(), before.version(), "", Optional.empty(),
                    io.sluice.playbook.Playbook.EMPTY, RunKind.DEV, Optional.of(dir),
                    new Interval(before.intervalStart(), before.intervalEnd()), before.logicalDate(), before.params(),
                    Optional.empty(), Map.of(), new Resources(2000, 1L << 30));
            Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.put("MARKS", marks.toString());
            return new RunDriver(store, new SluiceHome(home), executor, Clock.systemUTC(), RunListener.NONE)
                    .withEnvironment(env).resume(runId, spec);
        }
    }

    private static String onlyRun(Path home) throws Exception {
        try (Database db = Database.open(home)) {
            return new RunStore(db, Clock.systemUTC()).runs(Optional.empty(), 10).get(0).id();
        }
    }

    @Test
    void aTaskStillRunningAfterTheCrashIsAdoptedAndTheRunFinishesNormally() throws Exception {
        Path home = tmp.resolve("home");
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        Path dir = pipeline("echo $$ > \"$MARKS/a.pid\"; echo \"attempt $SLUICE_ATTEMPT\" >> \"$MARKS/a\"; sleep 3");
        Process run = startRun(dir, home, marks);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(marks.resolve("a.pid")));

        run.toHandle().destroyForcibly(); // kill -9 of the JVM: bin/sluice execs java
        run.waitFor();
        long taskPid = Long.parseLong(Files.readString(marks.resolve("a.pid")).trim());
        assertThat(ProcTable.isRunning(taskPid)).as("the task outlives the crash").isTrue();

        RunRecord done = resume(dir, home, marks, onlyRun(home));

        assertThat(done.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(Files.readAllLines(marks.resolve("a"))).as("never run twice").containsExactly("attempt 1");
        assertThat(Files.readAllLines(marks.resolve("b"))).containsExactly("b");
        assertThat(Files.readAllLines(marks.resolve("teardowns"))).as("teardown exactly once").hasSize(1);
        assertThat(home.resolve("workspaces").resolve(done.id())).doesNotExist();
    }

    @Test
    void aTaskWhoseProcessDiedWithoutAStatusIsLostAndItsRetryRuns() throws Exception {
        Path home = tmp.resolve("home");
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        Path dir = pipeline("echo $$ > \"$MARKS/a.$SLUICE_ATTEMPT.pid\"; echo \"attempt $SLUICE_ATTEMPT\" >> \"$MARKS/a\"; "
                + "test \"$SLUICE_ATTEMPT\" -ge 2 || sleep 30");
        Process run = startRun(dir, home, marks);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(marks.resolve("a.1.pid")));

        // the whole machine's view of the run dies: the JVM, its launcher, and the task itself
        ProcessHandle.of(run.pid()).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
        run.toHandle().destroyForcibly();
        run.waitFor();
        long taskPid = Long.parseLong(Files.readString(marks.resolve("a.1.pid")).trim());
        ProcessHandle.of(taskPid).ifPresent(ProcessHandle::destroyForcibly);
        await().until(() -> !ProcTable.isRunning(taskPid));

        String runId = onlyRun(home);
        RunRecord done = resume(dir, home, marks, runId);

        assertThat(done.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(Files.readAllLines(marks.resolve("a"))).containsExactly("attempt 1", "attempt 2");
        try (Database db = Database.open(home)) {
            RunStore store = new RunStore(db, Clock.systemUTC());
            assertThat(store.taskTransitions(runId)).anySatisfy(t -> assertThat(t.cause().orElse("")).startsWith("lost"));
            TaskRecord a = store.tasks(runId).get(0);
            assertThat(a.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(store.run(runId).teardownState()).isEqualTo(StepState.SUCCEEDED);
        }
    }
}
