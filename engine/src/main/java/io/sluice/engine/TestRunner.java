package io.sluice.engine;

import io.sluice.definition.Pipeline;
import io.sluice.definition.PipelineTest;
import io.sluice.executor.LocalExecutor;
import io.sluice.executor.LocalSandbox;
import io.sluice.executor.ProcessSweeper;
import io.sluice.executor.SweptProcess;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.playbook.Playbook;
import io.sluice.schedule.Interval;
import io.sluice.schedule.InvalidDateException;
import io.sluice.schedule.LogicalDates;
import io.sluice.store.Database;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs pipeline tests (SPEC §2 {@code tests}): each test is a real run of the pipeline, or of its
 * subset of tasks, with the test's date and env, in a fresh workspace with its own TMPDIR. A test
 * session keeps its runs in a scratch home of its own, so that two sessions never touch each
 * other's state; the scratch home is deleted at the end. Tests run {@code jobs} at a time. After
 * each test, anything it left (a workspace, a process) fails it, and is removed.
 */
public final class TestRunner {
    private final int jobs;
    private final Clock clock;
    private final Map<String, String> environment;

    public TestRunner(int jobs, Clock clock, Map<String, String> environment) {
        this.jobs = Math.max(1, jobs);
        this.clock = clock;
        this.environment = Map.copyOf(environment);
    }

    /** One test of one pipeline. */
    public record TestCase(LoadedPipeline pipeline, PipelineTest test) {
    }

    private final java.util.Set<RunDriver> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String cancelled;

    /**
     * Stops the session (Ctrl-C): running tests are cancelled (their processes stopped, their
     * teardowns run), tests not started are not started. {@link #run} then returns as usual.
     */
    public void cancel(String cause) {
        cancelled = cause;
        active.forEach(d -> d.cancel(cause));
    }

    /** Runs every test of every pipeline; results come back in the order of {@code cases}. */
    public List<TestResult> run(List<TestCase> cases, TestListener listener) throws IOException {
        ScratchHomes.removeAbandoned();
        Path scratch = ScratchHomes.create();
        SluiceHome home = new SluiceHome(scratch);
        ExecutorService pool = Executors.newFixedThreadPool(jobs, Thread.ofPlatform().name("sluice-test-", 0).factory());
        try (Database database = Database.open(home.root()); LocalExecutor executor = new LocalExecutor()) {
            RunStore store = new RunStore(database, clock);
            List<Future<TestResult>> futures = new ArrayList<>();
            for (TestCase c : cases) {
                futures.add(pool.submit(() -> {
                    listener.started(c.pipeline().pipeline().orElseThrow().id(), c.test().name());
                    TestResult result = runOne(c, store, home, executor);
                    listener.finished(result);
                    return result;
                }));
            }
            List<TestResult> results = new ArrayList<>();
            collect(futures, results);
            // orphans no run could claim (no marker, a session of their own): the session left them
            List<SweptProcess> stray = executor.killOrphans(o -> true);
            if (!stray.isEmpty()) {
                TestResult session = new TestResult("(session)", "", "nothing left behind", false, Duration.ZERO, Optional.empty(),
                        List.of("processes were left running that no test could be blamed for (Sluice killed them): "
                                + String.join(", ", stray.stream().map(SweptProcess::describe).toList())), "", List.of());
                listener.finished(session);
                results.add(session);
            }
            return results;
        } finally {
            pool.shutdownNow();
            LocalSandbox.deleteTree(scratch);
        }
    }

    private static void collect(List<Future<TestResult>> futures, List<TestResult> results) throws IOException {
        {
            for (Future<TestResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a test could not be run: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while tests ran", e);
                }
            }
        }
    }

    private TestResult runOne(TestCase c, RunStore store, SluiceHome home, LocalExecutor executor) {
        long started = System.nanoTime();
        Pipeline pipeline = c.pipeline().pipeline().orElseThrow();
        PipelineTest test = c.test();
        if (cancelled != null) {
            return new TestResult(pipeline.id(), c.pipeline().version(), test.name(), false, Duration.ZERO, Optional.empty(),
                    List.of("not run: " + cancelled), "", List.of());
        }
        List<String> problems = new ArrayList<>();
        Interval interval;
        try {
            interval = LogicalDates.manual(pipeline.schedule(), pipeline.timezone(), test.date(), clock.instant());
        } catch (InvalidDateException e) {
            return new TestResult(pipeline.id(), c.pipeline().version(), test.name(), false, elapsed(started), Optional.empty(),
                    List.of("date: " + e.getMessage()), "", List.of());
        }
        RunSpec spec = new RunSpec(pipeline, c.pipeline().files(), c.pipeline().version(), c.pipeline().pipelineYaml().orElse(""),
                c.pipeline().playbookMd(), c.pipeline().playbook().orElse(Playbook.EMPTY), RunKind.TEST, Optional.empty(),
                interval, LogicalDates.format(interval, pipeline.schedule(), pipeline.timezone()), pipeline.params(),
                test.tasks().map(HashSet::new), test.env(), MachineCapacity.detect());
        String runId = new RunCreator(store, clock).create(spec);
        RunDriver driver = new RunDriver(store, home, executor, clock, RunListener.NONE)
                .withEnvironment(environment)
                .beforeWorkspaceRemoval(ws -> Expectations.checkFiles(test, ws, c.pipeline().files().root(), problems));
        active.add(driver);
        if (cancelled != null) {
            driver.cancel(cancelled);
        }
        RunRecord run;
        try {
            run = driver.drive(runId, spec);
        } finally {
            active.remove(driver);
        }
        if (!driver.leftovers().isEmpty()) {
            problems.add("left processes running after its tasks ended (Sluice killed them): "
                    + String.join(", ", driver.leftovers().stream().map(SweptProcess::describe).toList()));
        }
        List<Failures.Failed> failures = Failures.of(store, runId);
        Expectations.checkRun(test, run, store.tasks(runId), failures, problems);
        checkNothingLeft(runId, home, problems);
        String excerpt = failures.isEmpty() ? "" : LogTail.lastLines(failures.get(failures.size() - 1).log(), 10);
        return new TestResult(pipeline.id(), c.pipeline().version(), test.name(), problems.isEmpty(), elapsed(started),
                Optional.of(run.state().wireName()), problems, excerpt,
                Failures.gaps(store, run, spec.playbook(), "test", clock.instant()));
    }

    /** A test must leave nothing behind: its workspace gone, none of its processes alive. */
    private static void checkNothingLeft(String runId, SluiceHome home, List<String> problems) {
        if (Files.exists(home.workspace(runId))) {
            problems.add("left its workspace behind");
            try {
                LocalSandbox.deleteTree(home.workspace(runId));
            } catch (IOException ignored) {
                // the scratch home is deleted at the end anyway
            }
        }
        List<SweptProcess> left = ProcessSweeper.sweepAll(runId + "/");
        if (!left.isEmpty()) {
            problems.add("left processes running (now killed): " + String.join(", ", left.stream().map(SweptProcess::describe).toList()));
        }
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
