package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.run.RunState;
import io.sluice.run.StepState;
import io.sluice.run.TaskState;
import io.sluice.store.AttemptRecord;
import io.sluice.store.RunRecord;
import io.sluice.store.TaskRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real runs: real processes, a real SQLite home, real files. */
class RunDriverTest {
    @TempDir
    Path tmp;

    private EngineFixture engine;

    @BeforeEach
    void open() {
        engine = new EngineFixture(tmp);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private Map<String, TaskState> states(String runId) {
        return engine.store.tasks(runId).stream().collect(Collectors.toMap(TaskRecord::taskId, TaskRecord::state));
    }

    @Test
    void aTaskSeesTheSpecEnvironmentAndRunsInTheRunsWorkspace() {
        RunRecord run = engine.run("""
                id: envs
                params: {region: eu}
                env: {WAREHOUSE: wh1}
                tasks:
                  - id: show
                    run: |
                      echo "pipeline=$SLUICE_PIPELINE run=$SLUICE_RUN_ID task=$SLUICE_TASK attempt=$SLUICE_ATTEMPT"
                      echo "date=$SLUICE_LOGICAL_DATE start=$SLUICE_INTERVAL_START end=$SLUICE_INTERVAL_END"
                      echo "region=$SLUICE_PARAM_REGION warehouse=$WAREHOUSE"
                      echo "pwd=$(pwd) workspace=$SLUICE_WORKSPACE tmp=$TMPDIR"
                      test -f pipeline.yaml && echo "copied"
                      test -d "$TMPDIR" && case "$TMPDIR" in "$SLUICE_WORKSPACE"/*) echo "tmp inside";; esac
                      test -z "${SLUICE_SECRET_TOKEN:-}" && echo "no secrets"
                """, null);

        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        Path workspace = engine.home.workspace(run.id());
        assertThat(engine.log(run.id(), "show", 1)).contains(
                "pipeline=envs run=" + run.id() + " task=show attempt=1",
                "date=2024-01-01 start=2024-01-01T00:00:00Z end=2024-01-02T00:00:00Z",
                "region=eu warehouse=wh1",
                "pwd=" + workspace + " workspace=" + workspace + " tmp=" + workspace.resolve(".sluice/tmp"),
                "copied", "tmp inside", "no secrets");
        assertThat(workspace).as("the workspace is gone after the run").doesNotExist();
    }

    @Test
    void paramsReachTheCommandOnlyAsEnvironmentVariables() {
        Path marker = tmp.resolve("pwned");
        Path dir = engine.pipeline("""
                id: inject
                params: {name: world}
                tasks:
                  - id: greet
                    run: echo "hello $SLUICE_PARAM_NAME"
                """, null);
        String hostile = "$(touch " + marker + "); `touch " + marker + "`; \"; touch " + marker + "; echo \"";
        RunSpec spec = engine.spec(dir, Map.of("name", hostile));

        RunRecord run = engine.driver(RunListener.NONE).drive(engine.create(spec), spec);

        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(marker).doesNotExist();
        assertThat(engine.log(run.id(), "greet", 1)).isEqualTo("hello " + hostile + "\n");
    }

    @Test
    void aFailingTaskIsRetriedWithItsAttemptNumberUntilItSucceeds() {
        RunRecord run = engine.run("""
                id: flaky
                tasks:
                  - id: fetch
                    retries: 2
                    retry_delay: 100ms
                    run: echo "attempt $SLUICE_ATTEMPT"; test "$SLUICE_ATTEMPT" -ge 3
                """, null);

        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        TaskRecord fetch = engine.store.tasks(run.id()).get(0);
        assertThat(fetch.attempts()).isEqualTo(3);
        assertThat(engine.store.attempts(run.id())).extracting(AttemptRecord::outcome)
                .containsExactly(java.util.Optional.of("failed"), java.util.Optional.of("failed"), java.util.Optional.of("succeeded"));
        assertThat(engine.log(run.id(), "fetch", 2)).isEqualTo("attempt 2\n");
    }

    @Test
    void tasksBelowAFailureAreUpstreamFailedWhileOtherBranchesFinish() {
        RunRecord run = engine.run("""
                id: branches
                tasks:
                  - {id: extract, run: "exit 3"}
                  - {id: load, needs: [extract], run: "true"}
                  - {id: report, needs: [load], run: "true"}
                  - {id: side, run: "true"}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.FAILED);
        assertThat(run.reason()).hasValue("extract failed");
        assertThat(states(run.id())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "extract", TaskState.FAILED, "load", TaskState.UPSTREAM_FAILED,
                "report", TaskState.UPSTREAM_FAILED, "side", TaskState.SUCCEEDED));
        assertThat(engine.store.tasks(run.id()).get(0).exitCode()).hasValue(3);
    }

    @Test
    void aTimedOutTaskLeavesNoProcessBehindEvenOnesIgnoringSigtermOrEscapingTheGroup() throws IOException {
        Path pids = tmp.resolve("pids");
        Files.createDirectories(pids);
        engine.environment.put("PIDS", pids.toString());
        RunRecord run = engine.run("""
                id: stubborn
                tasks:
                  - id: hang
                    timeout: 1s
                    run: |
                      sh -c 'trap "" TERM; echo $$ > "$PIDS/ignorer"; sleep 1000' &
                      setsid sh -c 'echo $$ > "$PIDS/escaped"; sleep 1000' &
                      nohup sh -c 'echo $$ > "$PIDS/nohup"; sleep 1000' >/dev/null 2>&1 &
                      trap "" TERM
                      sleep 1000
                  - {id: after, needs: [hang], run: "true"}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.TIMED_OUT);
        assertThat(states(run.id())).containsEntry("hang", TaskState.TIMED_OUT).containsEntry("after", TaskState.UPSTREAM_FAILED);
        assertThat(engine.log(run.id(), "hang", 1)).contains("sluice: timed out after 1s: SIGTERM to the task's process group");
        try (var files = Files.list(pids)) {
            List<Long> started = files.map(f -> {
                try {
                    return Long.parseLong(Files.readString(f).trim());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
            assertThat(started).hasSize(3);
            assertThat(started).allSatisfy(pid -> assertThat(io.sluice.executor.ProcTable.isRunning(pid)).as("pid %d", pid).isFalse());
        }
        assertThat(Files.readString(engine.home.journal(run.id()))).contains("sweep: killed");
    }

    @Test
    void setupEnvironmentReachesTasksAndTeardownRunsExactlyOnceAfterAFailure() throws IOException {
        Path teardowns = tmp.resolve("teardowns");
        engine.environment.put("TEARDOWNS", teardowns.toString());
        RunRecord run = engine.run("""
                id: isolated
                environment:
                  setup: echo "CLUSTER=c-$SLUICE_RUN_ID" >> "$SLUICE_ENV"; echo "SPACED=a b" >> "$SLUICE_ENV"
                  teardown: echo "down $CLUSTER" >> "$TEARDOWNS"
                tasks:
                  - {id: use, run: 'echo "cluster=$CLUSTER spaced=$SPACED"; exit 1'}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.FAILED);
        assertThat(run.setupState()).isEqualTo(StepState.SUCCEEDED);
        assertThat(run.teardownState()).isEqualTo(StepState.SUCCEEDED);
        assertThat(engine.log(run.id(), "use", 1)).isEqualTo("cluster=c-" + run.id() + " spaced=a b\n");
        assertThat(Files.readAllLines(teardowns)).containsExactly("down c-" + run.id());
        assertThat(engine.home.workspace(run.id())).doesNotExist();
    }

    @Test
    void aServiceThatSetupStartsLivesUntilTheRunEndsAndNoLonger() throws IOException {
        RunRecord run = engine.run("""
                id: service
                environment:
                  setup: 'nohup sleep 1000 >/dev/null 2>&1 & echo "SERVICE_PID=$!" >> "$SLUICE_ENV"'
                  teardown: 'echo "teardown sees $SERVICE_PID alive: $(kill -0 $SERVICE_PID && echo yes)"'
                tasks:
                  - {id: use, run: 'kill -0 "$SERVICE_PID" && echo "service $SERVICE_PID is up"'}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        String line = engine.log(run.id(), "use", 1).trim();
        long pid = Long.parseLong(line.split(" ")[1]);
        assertThat(engine.log(run.id(), AttemptRecord.TEARDOWN, 1)).contains("alive: yes");
        assertThat(io.sluice.executor.ProcTable.isRunning(pid)).as("swept after teardown").isFalse();
    }

    @Test
    void aFailedSetupSkipsTheTasksButStillTearsDown() {
        RunRecord run = engine.run("""
                id: nosetup
                environment:
                  setup: echo "no cluster today"; exit 4
                  teardown: echo "cleaning up"
                tasks:
                  - {id: a, run: "true"}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.FAILED);
        assertThat(run.reason()).hasValue("setup failed");
        assertThat(states(run.id())).containsEntry("a", TaskState.UPSTREAM_FAILED);
        assertThat(run.teardownState()).isEqualTo(StepState.SUCCEEDED);
        assertThat(engine.log(run.id(), AttemptRecord.TEARDOWN, 1)).isEqualTo("cleaning up\n");
    }

    @Test
    void aFailedTeardownFailsTheRun() {
        RunRecord run = engine.run("""
                id: leaky
                environment:
                  teardown: echo "cannot delete cluster"; exit 1
                tasks:
                  - {id: a, run: "true"}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.FAILED);
        assertThat(run.reason()).hasValue("teardown failed");
    }

    @Test
    void theRunTimeoutStopsEverythingAndTheRunEndsTimedOut() {
        RunRecord run = engine.run("""
                id: slow
                timeout: 1s
                tasks:
                  - {id: long, run: "sleep 1000"}
                  - {id: later, needs: [long], run: "true"}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.TIMED_OUT);
        assertThat(states(run.id())).containsEntry("long", TaskState.TIMED_OUT).containsEntry("later", TaskState.CANCELLED);
    }

    @Test
    void theRunTimeoutWhileATaskWaitsToRetryCancelsItAndSaysWhy() {
        RunRecord run = engine.run("""
                id: retrying
                timeout: 1s
                tasks:
                  - {id: flaky, run: "exit 1", retries: 1, retry_delay: 30s}
                  - {id: long, run: "sleep 1000"}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.TIMED_OUT);
        assertThat(states(run.id())).containsEntry("flaky", TaskState.CANCELLED).containsEntry("long", TaskState.TIMED_OUT);
        assertThat(engine.store.tasks(run.id())).filteredOn(t -> t.taskId().equals("long"))
                .singleElement().satisfies(t -> {
                    assertThat(t.cause()).hasValue("run timed out");
                    assertThat(t.exitCode()).as("the stopped process's status").hasValue(143);
                });
        assertThat(engine.home.workspace(run.id())).doesNotExist();
    }

    @Test
    void aTestWhoseSetupStartsAServiceLeavesNothingBehindAndPasses() throws Exception {
        Path dir = engine.pipeline("""
                id: leaky
                environment:
                  setup: 'nohup sleep 1000 >/dev/null 2>&1 &'
                tasks:
                  - {id: a, run: "true"}
                tests:
                  - name: looks_fine
                    expect: {state: succeeded}
                """, null);
        var loaded = io.sluice.pipeline.PipelineLoader.load(dir, "leaky");
        // a setup service lives until the run ends, then the run-end sweep kills it: the test passes
        List<TestResult> results = new TestRunner(1, java.time.Clock.systemUTC(), engine.environment)
                .run(Gate.cases(loaded), TestListener.NONE);

        assertThat(results).singleElement().satisfies(r -> assertThat(r.passed()).as(r.problems().toString()).isTrue());
    }

    @Test
    void theFailureIsMatchedToTheMostSpecificPlaybookEntry() {
        RunRecord run = engine.run("""
                id: matched
                tasks:
                  - {id: extract, run: "echo 'source orders.csv not ready' >&2; exit 3"}
                """, """
                ## Generic failure
                match: kind=failed
                ### Diagnose
                look
                ### Fix
                fix

                ## Orders export is late
                match: task=extract kind=failed log=/source .* not ready/
                ### Diagnose
                wait
                ### Fix
                rerun
                """);

        assertThat(engine.store.attempts(run.id()).get(0).playbookEntry()).hasValue("Orders export is late");
    }

    @Test
    void secretsReachTasksButNotTheirLogs() {
        engine.environment.put("SLUICE_SECRET_WAREHOUSE_PASSWORD", "hunter2-very-secret");
        RunRecord run = engine.run("""
                id: secretive
                secrets: [WAREHOUSE_PASSWORD]
                tasks:
                  - {id: connect, run: 'echo "connecting with $WAREHOUSE_PASSWORD"; env | grep -c SLUICE_SECRET_ || true'}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(engine.log(run.id(), "connect", 1)).isEqualTo("connecting with ***\n0\n");
    }

    @Test
    void aCancelledRunStopsItsTasksTearsDownAndEndsCancelled() throws Exception {
        Path teardowns = tmp.resolve("teardowns");
        engine.environment.put("TEARDOWNS", teardowns.toString());
        Path dir = engine.pipeline("""
                id: cancellable
                environment:
                  teardown: echo down >> "$TEARDOWNS"
                tasks:
                  - {id: long, run: "sleep 1000"}
                  - {id: later, needs: [long], run: "true"}
                """, null);
        RunSpec spec = engine.spec(dir, Map.of());
        String id = engine.create(spec);
        RunDriver driver = engine.driver(RunListener.NONE);
        CompletableFuture<RunRecord> finished = new CompletableFuture<>();
        Thread.ofPlatform().name("driver").start(() -> finished.complete(driver.drive(id, spec)));
        await().until(() -> states(id).get("long") == TaskState.RUNNING);

        driver.cancel("cancelled by a test");

        RunRecord run = finished.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(run.state()).isEqualTo(RunState.CANCELLED);
        assertThat(run.reason()).hasValue("cancelled by a test");
        assertThat(states(id)).containsEntry("long", TaskState.CANCELLED).containsEntry("later", TaskState.CANCELLED);
        assertThat(Files.readAllLines(teardowns)).containsExactly("down");
    }

    @Test
    void tasksRunInParallelUpToTheCapacity() throws IOException {
        Path gate = tmp.resolve("gate");
        Files.createDirectories(gate);
        engine.environment.put("GATE", gate.toString());
        // each task waits until the other has started: only true parallelism lets the run finish
        RunRecord run = engine.run("""
                id: parallel
                tasks:
                  - {id: left, run: 'touch "$GATE/left"; while [ ! -f "$GATE/right" ]; do sleep 0.05; done'}
                  - {id: right, run: 'touch "$GATE/right"; while [ ! -f "$GATE/left" ]; do sleep 0.05; done'}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
    }

    @Test
    void aBigTaskWaitsForCapacityAndTheWaitIsRecorded() {
        RunRecord run = engine.run("""
                id: crowded
                tasks:
                  - {id: first, run: "sleep 0.2", resources: {cpus: 2}}
                  - {id: second, run: "true", resources: {cpus: 2}}
                """, null);

        assertThat(run.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(engine.store.taskTransitions(run.id())).filteredOn(t -> t.taskId().orElse("").equals("second"))
                .extracting(t -> t.to()).containsExactly("PENDING", "WAITING", "RUNNING", "SUCCEEDED");
    }
}
