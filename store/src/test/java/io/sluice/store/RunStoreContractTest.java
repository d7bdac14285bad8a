package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.run.IllegalTransitionException;
import io.sluice.run.RunEvent;
import io.sluice.run.RunState;
import io.sluice.run.StepState;
import io.sluice.run.TaskEvent;
import io.sluice.run.TaskState;
import io.sluice.run.WaitReason;
import io.sluice.schedule.Interval;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every store must do: {@link SqliteStoreTest} runs it on SQLite, {@link PostgresStoreTest} on a real PostgreSQL. */
abstract class RunStoreContractTest {
    @TempDir
    Path home;

    Database database;
    RunStore store;

    /** A new, empty database of the kind under test. */
    abstract Database openDatabase(Path home);

    @BeforeEach
    void open() {
        database = openDatabase(home);
        store = new RunStore(database, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        database.close();
    }

    NewRun aRun(String id, String... tasks) {
        return new NewRun(id, "daily_sales", "v1", RunKind.DEV, Optional.of("/src"), "2024-01-01",
                new Interval(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z")),
                Map.of("region", "eu"), StepState.PENDING, StepState.NONE, List.of(tasks));
    }

    @Test
    void aCreatedRunIsQueuedWithPendingTasksAndItsCreationIsATransition() {
        store.createRun(aRun("run0000001", "extract", "load"));

        RunRecord run = store.run("run0000001");
        assertThat(run.state()).isEqualTo(RunState.QUEUED);
        assertThat(run.params()).containsEntry("region", "eu");
        assertThat(run.setupState()).isEqualTo(StepState.PENDING);
        assertThat(store.tasks("run0000001")).extracting(TaskRecord::taskId, TaskRecord::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("extract", TaskState.PENDING),
                        org.assertj.core.groups.Tuple.tuple("load", TaskState.PENDING));
        assertThat(store.runTransitions("run0000001")).extracting(TransitionRecord::to).containsExactly("QUEUED");
        assertThat(store.taskTransitions("run0000001")).hasSize(2);
    }

    @Test
    void everyStateChangeIsRecordedWithItsCause() {
        store.createRun(aRun("run0000002", "extract"));

        store.write(w -> {
            w.runEvent("run0000002", RunState.QUEUED, RunEvent.START, "started");
            w.taskEvent("run0000002", "extract", TaskState.PENDING, TaskEvent.WAIT, 0, "no capacity", Optional.of(WaitReason.CAPACITY), Optional.empty());
            w.taskEvent("run0000002", "extract", TaskState.WAITING, TaskEvent.START, 1, "attempt 1", Optional.empty(), Optional.empty());
            w.taskEvent("run0000002", "extract", TaskState.RUNNING, TaskEvent.FAIL, 1, "exit 3", Optional.empty(), Optional.of(3));
        });

        TaskRecord task = store.tasks("run0000002").get(0);
        assertThat(task.state()).isEqualTo(TaskState.FAILED);
        assertThat(task.attempts()).isEqualTo(1);
        assertThat(task.exitCode()).hasValue(3);
        assertThat(store.taskTransitions("run0000002")).extracting(TransitionRecord::to, TransitionRecord::cause)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("PENDING", Optional.of("created")),
                        org.assertj.core.groups.Tuple.tuple("WAITING", Optional.of("no capacity")),
                        org.assertj.core.groups.Tuple.tuple("RUNNING", Optional.of("attempt 1")),
                        org.assertj.core.groups.Tuple.tuple("FAILED", Optional.of("exit 3")));
        assertThat(store.run("run0000002").startedAt()).isPresent();
    }

    @Test
    void anUpdateThatExpectsAnotherStateChangesNothing() {
        store.createRun(aRun("run0000003", "extract"));

        assertThatThrownBy(() -> store.write(w -> {
            w.runEvent("run0000003", RunState.QUEUED, RunEvent.START, "started");
            w.taskEvent("run0000003", "extract", TaskState.RUNNING, TaskEvent.SUCCEED, 1, "exit 0", Optional.empty(), Optional.of(0));
        })).isInstanceOf(ConcurrentChangeException.class);

        assertThat(store.run("run0000003").state()).as("the whole transaction rolled back").isEqualTo(RunState.QUEUED);
        assertThat(store.runTransitions("run0000003")).hasSize(1);
    }

    @Test
    void anIllegalTransitionIsRefusedBeforeTouchingTheDatabase() {
        store.createRun(aRun("run0000004", "extract"));

        assertThatThrownBy(() -> store.write(w -> w.taskEvent("run0000004", "extract", TaskState.PENDING, TaskEvent.SUCCEED, 0,
                "?", Optional.empty(), Optional.empty()))).isInstanceOf(IllegalTransitionException.class);
    }

    @Test
    void aRunIsFoundByAUniquePrefixAndAnAmbiguousOrUnknownOneIsRefused() {
        store.createRun(aRun("abcd000001", "a"));
        store.createRun(aRun("abcd000002", "a"));
        store.createRun(aRun("efgh000001", "a"));

        assertThat(store.run("efgh").id()).isEqualTo("efgh000001");
        assertThatThrownBy(() -> store.run("abcd")).isInstanceOf(UnknownRunException.class).hasMessageContaining("ambiguous");
        assertThatThrownBy(() -> store.run("zzzz")).isInstanceOf(UnknownRunException.class).hasMessageContaining("no run 'zzzz'");
    }

    @Test
    void runsAreListedNewestFirst() {
        store.createRun(aRun("run0000005", "a"));
        RunStore later = new RunStore(database, Clock.fixed(Instant.parse("2026-01-02T00:00:00Z"), ZoneOffset.UTC));
        later.createRun(aRun("run0000006", "a"));

        assertThat(store.runs(Optional.empty(), 10)).extracting(RunRecord::id).containsExactly("run0000006", "run0000005");
        assertThat(store.runs(Optional.of("other"), 10)).isEmpty();
    }

    @Test
    void attemptsKeepTheirProcessAndOutcome() {
        store.createRun(aRun("run0000007", "a"));
        store.write(w -> {
            w.startAttempt("run0000007", "a", 1, "/logs/a.1.log", "/logs/a.1.exit");
            w.attemptProcess("run0000007", "a", 1, 4242, "12345");
            w.endAttempt("run0000007", "a", 1, Optional.of(2), "failed", Optional.of("Orders export is late"));
        });

        AttemptRecord a = store.attempts("run0000007").get(0);
        assertThat(a.pid()).hasValue(4242L);
        assertThat(a.pidStart()).hasValue("12345");
        assertThat(a.exitCode()).hasValue(2);
        assertThat(a.playbookEntry()).hasValue("Orders export is late");
        assertThat(a.endedAt()).isPresent();
    }

    @Test
    void definitionsAreStoredOncePerVersion() {
        store.saveDefinition("v9", "p", "id: p", Optional.of("# p"));
        store.saveDefinition("v9", "p", "id: changed", Optional.empty());

        assertThat(store.definition("v9").orElseThrow().pipelineYaml()).isEqualTo("id: p");
    }

    @Test
    void theAuditLogIsAppendOnly() {
        GateStore gate = new GateStore(database, Clock.systemUTC());
        gate.audit("alice", "deploy", "p@abc", "deployed", null);

        assertThatThrownBy(() -> database.jdbi().useHandle(h -> h.execute("UPDATE audit SET outcome = 'refused'")))
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> database.jdbi().useHandle(h -> h.execute("DELETE FROM audit")))
                .hasMessageContaining("append-only");
        assertThat(gate.audit(Optional.empty(), 10)).extracting(AuditEntry::outcome).containsExactly("deployed");
    }

    @Test
    void activationChecksTheVersionItReplaces() {
        GateStore gate = new GateStore(database, Clock.systemUTC());
        gate.storeVersion("v1", "p", "/versions/v1");
        gate.storeVersion("v2", "p", "/versions/v2");

        assertThat(gate.activate("p", "v1", Optional.empty(), "alice", "deploy")).isTrue();
        assertThat(gate.activate("p", "v2", Optional.empty(), "bob", "deploy")).as("someone else activated v1 first").isFalse();
        assertThat(gate.activate("p", "v2", Optional.of("v1"), "bob", "deploy")).isTrue();
        assertThat(gate.activeVersion("p")).hasValue("v2");
    }

    @Test
    void aScheduledIntervalGetsOneRunHoweverManyWritersAskAtOnce() throws Exception {
        Interval day = new Interval(Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-02T00:00:00Z"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Database> writers = new java.util.ArrayList<>();
        try {
            List<Callable<Boolean>> creators = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Database db = reopen();
                writers.add(db);
                String id = "sched00000" + i;
                creators.add(() -> new RunStore(db, Clock.systemUTC()).createRunOnce(new NewRun(id, "hourly", "v1", RunKind.SCHEDULED,
                        Optional.empty(), "2024-03-01", day, Map.of(), StepState.NONE, StepState.NONE, List.of("a", "b"))));
            }
            long created = 0;
            for (Future<Boolean> f : pool.invokeAll(creators)) {
                created += f.get() ? 1 : 0;
            }
            assertThat(created).isEqualTo(1);
        } finally {
            pool.shutdown();
            writers.forEach(Database::close);
        }
        assertThat(store.runs(Optional.of("hourly"), 10)).hasSize(1);
        assertThat(store.tasks(store.runs(Optional.of("hourly"), 10).get(0).id())).hasSize(2);
    }

    /** Another connection pool on the same database: what a second process or server sees. */
    abstract Database reopen();

    @Test
    void eachPipelinesNewestRunsComeInOneQuery() {
        for (int i = 0; i < 5; i++) {
            RunStore at = new RunStore(database, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i), ZoneOffset.UTC));
            at.createRun(new NewRun("aaaa00000" + i, "a", "v1", RunKind.MANUAL, Optional.empty(), "2024-01-0" + (i + 1),
                    new Interval(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z")), Map.of(),
                    StepState.NONE, StepState.NONE, List.of("t")));
        }
        store.createRun(new NewRun("bbbb000001", "b", "v1", RunKind.MANUAL, Optional.empty(), "2024-01-01",
                new Interval(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z")), Map.of(),
                StepState.NONE, StepState.NONE, List.of("t")));

        Map<String, List<RunStore.RunSquare>> recent = store.recentRunsByPipeline(3);

        assertThat(recent.get("a")).extracting(RunStore.RunSquare::id).containsExactly("aaaa000004", "aaaa000003", "aaaa000002");
        assertThat(recent.get("b")).extracting(RunStore.RunSquare::id).containsExactly("bbbb000001");
    }

    @Test
    void testResultsComeBackInTheOrderTheyRan() {
        GateStore gate = new GateStore(database, Clock.systemUTC());
        List<TestOutcome> outcomes = List.of(
                new TestOutcome("zeta", true, 5, Optional.of("succeeded"), List.of()),
                new TestOutcome("alpha", false, 7, Optional.of("failed"), List.of("expected succeeded, found failed")));
        gate.recordTestSession(new TestSession("sess000001", "v1", "p", "alice", "deploy", Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:01Z"), false, outcomes));

        VersionRecord v = gate.versions("p").get(0);
        assertThat(v.tests().orElseThrow().outcomes()).extracting(TestOutcome::test).containsExactly("zeta", "alpha");
        assertThat(v.tests().orElseThrow().outcomes().get(1).problems()).containsExactly("expected succeeded, found failed");
    }

    @Test
    void aSecretIsReplacedAndATokenNameTakenOnce() {
        ServerStore server = new ServerStore(database, Clock.systemUTC());
        server.setSecret("WAREHOUSE", "one", "alice");
        server.setSecret("WAREHOUSE", "two", "bob");
        assertThat(server.secrets()).containsEntry("WAREHOUSE", "two");

        assertThat(server.addToken("ci", "operator", "hash1", "alice")).isTrue();
        assertThat(server.addToken("ci", "admin", "hash2", "bob")).isFalse();
        assertThat(server.tokenByHash("hash1")).hasValue(new ServerStore.Token("ci", "operator"));
        assertThat(server.markStuck("run1", "")).isTrue();
        assertThat(server.markStuck("run1", "")).isFalse();
        assertThat(server.addDelivery("run1", Optional.empty(), "failure", "webhook", "{}")).isPositive();
    }

    @Test
    void aClearedRunForgetsWhichServerDroveIt() {
        store.createRun(aRun("run0000009", "a"));
        store.write(w -> {
            w.runEvent("run0000009", RunState.QUEUED, RunEvent.START, "started");
            w.taskEvent("run0000009", "a", TaskState.PENDING, TaskEvent.START, 1, "attempt 1", Optional.empty(), Optional.empty());
            w.taskEvent("run0000009", "a", TaskState.RUNNING, TaskEvent.FAIL, 1, "exit 1", Optional.empty(), Optional.of(1));
            w.runEvent("run0000009", RunState.RUNNING, RunEvent.FAIL, "a failed");
        });
        long version = store.run("run0000009").rowVersion();

        store.write(w -> w.clearRun("run0000009", RunState.FAILED, List.of("a"), StepState.PENDING, StepState.NONE, "cleared",
                Optional.of(version)));

        assertThat(store.run("run0000009").state()).isEqualTo(RunState.QUEUED);
        assertThat(store.tasks("run0000009").get(0).state()).isEqualTo(TaskState.PENDING);
        assertThatThrownBy(() -> store.write(w -> w.clearRun("run0000009", RunState.QUEUED, List.of(), StepState.PENDING,
                StepState.NONE, "again", Optional.of(version)))).isInstanceOf(ConcurrentChangeException.class);
    }
}
