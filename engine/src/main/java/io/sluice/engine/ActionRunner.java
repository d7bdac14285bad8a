package io.sluice.engine;

import io.sluice.definition.Action;
import io.sluice.definition.Pipeline;
import io.sluice.definition.PipelineDirectory;
import io.sluice.executor.LocalExecutor;
import io.sluice.executor.LocalSandbox;
import io.sluice.executor.ProcessSpec;
import io.sluice.executor.ProcessSweeper;
import io.sluice.executor.TaskProcess;
import io.sluice.schedule.Interval;
import io.sluice.store.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code sluice action}: runs a pipeline's declared fix script once, as a person asked, in a
 * sandbox of its own (a fresh copy of the deployed version's files, its own TMPDIR and process
 * group), with the environment a task of a run of that date would get. Recorded before it starts,
 * logged, and its leftovers swept when it ends; never run automatically.
 */
public final class ActionRunner {
    private final RunStore store;
    private final SluiceHome home;
    private final Supplier<Map<String, String>> environment;

    public ActionRunner(RunStore store, SluiceHome home, Supplier<Map<String, String>> environment) {
        this.store = store;
        this.home = home;
        this.environment = environment;
    }

    /** What a fix script's run is about: the deployed version and the run date it acts on. */
    public record Request(String version, Pipeline pipeline, PipelineDirectory files, Action action, String logicalDate,
                          Interval interval, String who) {
    }

    public static Path logOf(SluiceHome home, String id) {
        return home.root().resolve("actions").resolve(id + ".log");
    }

    public static Path workspaceOf(SluiceHome home, String id) {
        return home.root().resolve("actions").resolve(id);
    }

    /** Records the action's run (before anything is created) and returns its id; {@link #run} then carries it out. */
    public String record(Request r) {
        String id = RunIds.next(java.time.Instant.now());
        store.startAction(id, r.pipeline().id(), r.version(), r.action().name(), r.logicalDate(), r.who(),
                logOf(home, id).toString(), workspaceOf(home, id).toString());
        return id;
    }

    /** Runs the recorded action to its end and returns its exit code (124 when it timed out). */
    public int run(String id, Request r) {
        Path workspace = workspaceOf(home, id);
        Path log = logOf(home, id);
        int exit;
        try (LocalExecutor executor = new LocalExecutor()) {
            Files.createDirectories(log.getParent());
            LocalSandbox.create(workspace, r.files());
            Path tmp = workspace.resolve(".sluice").resolve("tmp");
            Files.createDirectories(tmp);
            List<String> warnings = new ArrayList<>();
            TaskEnvironment env = new TaskEnvironment(environment.get(), r.pipeline(), Map.of(), warnings);
            var context = new TaskEnvironment.RunContext(r.pipeline().id(), id, r.logicalDate(), r.interval(), workspace, tmp,
                    r.pipeline().params());
            Map<String, String> vars = env.forProcess(context, r.action().name(), 1, Map.of());
            vars.put("SLUICE_ACTION", r.action().name());
            Files.writeString(log, "sluice: action " + r.action().name() + " of " + r.pipeline().id() + " (version "
                    + r.version().substring(0, 12) + ") for " + r.logicalDate() + ", asked by " + r.who() + "\n"
                    + String.join("", warnings.stream().map(w -> "sluice: " + w + "\n").toList()));
            TaskProcess process = executor.start(new ProcessSpec(r.action().run(), workspace, vars, log,
                    workspace.resolve(".sluice").resolve("exit"), id + "/" + r.action().name() + "/1", false));
            process.whenStarted(pid -> store.actionProcess(id, pid, process.startTime()));
            Duration limit = r.pipeline().defaults().timeout().orElse(Duration.ofHours(1));
            try {
                exit = process.gone().get(limit.toMillis(), TimeUnit.MILLISECONDS).exitCode();
            } catch (TimeoutException e) {
                Files.writeString(log, "\nsluice: timed out after " + io.sluice.definition.Durations.format(limit)
                        + ": SIGTERM, then SIGKILL after the grace period\n", java.nio.file.StandardOpenOption.APPEND);
                executor.terminate(process);
                process.gone().get(1, TimeUnit.MINUTES);
                exit = 124;
            }
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            appendQuietly(log, "\nsluice: the action could not run: " + e.getMessage() + "\n");
            exit = 127;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = 130;
        } finally {
            ProcessSweeper.sweepAll(id + "/");
            try {
                LocalSandbox.deleteTree(workspace);
            } catch (IOException e) {
                appendQuietly(log, "sluice: could not remove " + workspace + " (sluice cleanup finds it): " + e.getMessage() + "\n");
            }
        }
        store.endAction(id, exit);
        return exit;
    }

    private static void appendQuietly(Path log, String text) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, text, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the exit code still says it failed
        }
    }
}
