package io.sluice.engine;

import io.sluice.definition.Pipeline;
import io.sluice.executor.LocalExecutor;
import io.sluice.executor.LocalSandbox;
import io.sluice.executor.ProcTable;
import io.sluice.executor.ProcessSpec;
import io.sluice.executor.ProcessSweeper;
import io.sluice.executor.TaskProcess;
import io.sluice.run.StepState;
import io.sluice.store.AttemptRecord;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice cleanup}: what finished runs left behind, found from what the home recorded before
 * creating it (every run's workspace path, every process's marker and attempt row), and removed on
 * request. A run still driven by a live Sluice process is never touched; a run whose driver died
 * (a {@code sluice run} killed with SIGKILL) is "abandoned": its processes are stopped, its due
 * teardown runs, its workspace goes, and it is recorded as failed.
 */
public final class Cleanup {
    /** Loads a run's spec (definition and files); empty when its version's files are gone. */
    public interface Specs {
        Optional<RunSpec> of(RunRecord run);
    }

    /** One thing left behind. {@code kind}: workspace, process, temp, teardown, run, kubernetes. */
    public record Leftover(String kind, String run, String what, String detail) {
    }

    private final RunStore store;
    private final SluiceHome home;
    private final Specs specs;
    private final java.util.function.Supplier<Map<String, String>> environment;

    /** {@code environment}: what a teardown inherits (Sluice's own environment, with the server's secrets). */
    public Cleanup(RunStore store, SluiceHome home, Specs specs, java.util.function.Supplier<Map<String, String>> environment) {
        this.store = store;
        this.home = home;
        this.specs = specs;
        this.environment = environment;
    }

    /** Lists what is left behind; changes nothing. */
    public List<Leftover> find() {
        List<Leftover> found = new ArrayList<>();
        Map<String, Optional<RunRecord>> runs = new LinkedHashMap<>();
        for (RunRecord r : store.unfinishedRuns()) {
            if (abandoned(r)) {
                runs.put(r.id(), Optional.of(r));
                found.add(new Leftover("run", r.id(), r.pipeline() + " " + r.logicalDate(),
                        r.state().wireName() + ", but the Sluice process driving it (pid "
                                + store.driverOf(r.id()).map(d -> Long.toString(d.pid())).orElse("?") + ") is gone; "
                                + (r.kind() == io.sluice.store.RunKind.DEV ? "--apply stops it and records it failed"
                                : "a server started on this home takes it over and lets it finish; --apply stops it instead")));
            }
        }
        Path root = home.workspaces();
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
                for (Path dir : dirs) {
                    String id = dir.getFileName().toString();
                    Optional<RunRecord> run = runs.computeIfAbsent(id, store::findRun);
                    if (run.isEmpty() || run.get().state().isTerminal() || abandoned(run.get())) {
                        found.add(new Leftover("workspace", id, dir.toString(), run.map(r -> r.pipeline() + ", "
                                + (r.state().isTerminal() ? r.state().wireName() : "abandoned")).orElse("no such run in this home")));
                    }
                }
            } catch (IOException e) {
                found.add(new Leftover("workspace", "-", root.toString(), "cannot be listed: " + e.getMessage()));
            }
        }
        Path actions = home.root().resolve("actions");
        if (Files.isDirectory(actions)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(actions, Files::isDirectory)) {
                for (Path dir : dirs) {
                    actionLeftover(dir.getFileName().toString()).ifPresent(why ->
                            found.add(new Leftover("workspace", dir.getFileName().toString(), dir.toString(), why)));
                }
            } catch (IOException e) {
                found.add(new Leftover("workspace", "-", actions.toString(), "cannot be listed: " + e.getMessage()));
            }
        }
        String prefix = root.toString() + "/";
        String actionPrefix = actions.toString() + "/";
        long self = ProcessHandle.current().pid();
        for (long pid : ProcTable.pids()) {
            if (pid == self) {
                continue;
            }
            Optional<String> marker = ProcTable.environmentValue(pid, ProcessSweeper.MARKER);
            Optional<String> workspace = ProcTable.environmentValue(pid, "SLUICE_WORKSPACE");
            if (marker.isPresent() && workspace.isPresent() && workspace.get().startsWith(actionPrefix)) {
                String id = marker.get().split("/")[0];
                actionLeftover(id).ifPresent(why -> found.add(new Leftover("process", id, "pid " + pid + " " + ProcTable.commandLine(pid),
                        marker.get() + ": " + why)));
                continue;
            }
            if (marker.isEmpty() || workspace.isEmpty() || !workspace.get().startsWith(prefix)) {
                continue; // not a process of this home's runs (test sessions have homes of their own)
            }
            String[] m = marker.get().split("/");
            Optional<RunRecord> run = runs.computeIfAbsent(m[0], store::findRun);
            Optional<String> why = Optional.empty();
            if (run.isEmpty()) {
                why = Optional.of("its run is not in this home");
            } else if (run.get().state().isTerminal()) {
                why = Optional.of("its run " + run.get().state().wireName());
            } else if (abandoned(run.get())) {
                why = Optional.of("its run is abandoned");
            } else if (m.length == 3 && attemptEnded(m[0], m[1], m[2])) {
                why = Optional.of("its attempt has ended");
            }
            if (why.isPresent()) {
                found.add(new Leftover("process", m[0], "pid " + pid + " " + ProcTable.commandLine(pid),
                        marker.get() + ": " + why.get()));
            }
        }
        for (RunRecord r : store.runsWithDueTeardown()) {
            found.add(new Leftover("teardown", r.id(), r.pipeline() + " " + r.logicalDate(),
                    "teardown " + r.teardownState().name().toLowerCase(java.util.Locale.ROOT) + " but the run " + r.state().wireName()));
        }
        for (RunRecord r : runs.values().stream().flatMap(Optional::stream).filter(this::abandoned).toList()) {
            if (teardownDue(r)) {
                found.add(new Leftover("teardown", r.id(), r.pipeline() + " " + r.logicalDate(), "due when the abandoned run ends"));
            }
        }
        found.addAll(namespaces(runs));
        for (Path scratch : ScratchHomes.abandoned()) {
            found.add(new Leftover("temp", "-", scratch.toString(), "scratch home of a test session that is gone"));
        }
        Path incoming = home.root().resolve("incoming");
        if (Files.isDirectory(incoming)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(incoming)) {
                Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
                for (Path dir : dirs) {
                    if (Files.getLastModifiedTime(dir).toInstant().isBefore(hourAgo)) {
                        found.add(new Leftover("temp", "-", dir.toString(), "deploy bundle left by an interrupted deploy"));
                    }
                }
            } catch (IOException e) {
                // nothing to report
            }
        }
        return found;
    }

    /** Removes what {@link #find} lists, and says what it did, one line each. */
    public List<String> apply(String who) {
        List<String> done = new ArrayList<>();
        List<Leftover> found = find();
        // processes first: a workspace is removed only once nothing runs in it
        for (Leftover l : found) {
            if (l.kind().equals("process")) {
                long pid = Long.parseLong(l.what().split(" ")[1]);
                ProcessHandle.of(pid).ifPresent(p -> {
                    if (p.destroyForcibly()) {
                        done.add("killed " + l.what() + " (" + l.detail() + ")");
                    }
                });
            }
        }
        for (Leftover l : found) {
            if (l.kind().equals("run")) {
                RunRecord r = store.run(l.run());
                ProcessSweeper.sweepAll(r.id() + "/").forEach(p -> done.add("killed " + p.describe()));
                if (teardownDue(r)) {
                    done.add(runTeardown(r));
                }
                store.write(w -> w.abandonRun(r.id(), "abandoned: the Sluice process driving it died; cleaned up by " + who));
                done.add("run " + r.id() + " (" + l.what() + ") recorded as failed: abandoned");
            } else if (l.kind().equals("teardown")) {
                RunRecord r = store.run(l.run());
                if (r.state().isTerminal() && teardownDue(r)) {
                    done.add(runTeardown(r));
                }
            }
        }
        for (Leftover l : found) {
            if (l.kind().equals("workspace") || l.kind().equals("temp")) {
                try {
                    Path p = Path.of(l.what());
                    if (l.what().contains("/sluice-test-")) {
                        ScratchHomes.remove(p);
                    } else {
                        LocalSandbox.deleteTree(p);
                    }
                    done.add("removed " + l.kind() + " " + l.what());
                } catch (IOException | RuntimeException e) {
                    done.add("could not remove " + l.what() + ": " + e.getMessage());
                }
            }
        }
        for (Leftover l : found) {
            if (l.kind().equals("kubernetes") && !l.run().equals("-")) {
                try {
                    io.sluice.kubernetes.RunNamespaces.ofConfiguredCluster().delete(l.what());
                    done.add("deleted namespace " + l.what() + " (" + l.detail() + ")");
                } catch (io.sluice.kubernetes.KubernetesException e) {
                    done.add(e.getMessage());
                }
            }
        }
        for (Leftover l : found) {
            if (l.kind().equals("workspace") && store.action(l.run()).filter(a -> a.endedAt().isEmpty()).isPresent()) {
                store.endAction(l.run(), LocalExecutor.LOST);
                done.add("action run " + l.run() + " recorded as ended: lost");
            }
        }
        // a run's workspace made for its teardown is gone with it
        for (Leftover l : found) {
            if (l.kind().equals("run") || l.kind().equals("teardown")) {
                try {
                    LocalSandbox.deleteTree(home.workspace(l.run()));
                } catch (IOException e) {
                    done.add("could not remove " + home.workspace(l.run()) + ": " + e.getMessage());
                }
            }
        }
        return done;
    }

    /**
     * Namespaces of this home's runs that have finished or were abandoned (their driver died before
     * deleting them). Namespaces of runs this home does not know are left alone: another Sluice may
     * share the cluster. Looked for only when a cluster is configured.
     */
    private List<Leftover> namespaces(Map<String, Optional<RunRecord>> runs) {
        if (!io.sluice.kubernetes.Clusters.configured(environment.get())) {
            return List.of();
        }
        List<Leftover> found = new ArrayList<>();
        try {
            for (var ns : io.sluice.kubernetes.RunNamespaces.ofConfiguredCluster().list()) {
                Optional<RunRecord> run = runs.computeIfAbsent(ns.runId(), store::findRun);
                if (run.isPresent() && (run.get().state().isTerminal() || abandoned(run.get()))) {
                    found.add(new Leftover("kubernetes", ns.runId(), ns.name(), "namespace of " + ns.pipeline() + " run "
                            + ns.runId() + ", " + (run.get().state().isTerminal() ? run.get().state().wireName() : "abandoned")));
                }
            }
        } catch (io.sluice.kubernetes.KubernetesException e) {
            found.add(new Leftover("kubernetes", "-", "cluster", e.getMessage()));
        }
        return found;
    }

    /**
     * Why a fix script's sandbox (or process) is left behind, if it is: its action ended, is unknown,
     * or its script is gone for ten minutes without its end being recorded (the Sluice process that
     * ran it died).
     */
    private Optional<String> actionLeftover(String id) {
        Optional<RunStore.ActionRun> a = store.action(id);
        if (a.isEmpty()) {
            return Optional.of("no such action run in this home");
        }
        if (a.get().endedAt().isPresent()) {
            return Optional.of("action " + a.get().action() + " of " + a.get().pipeline() + " has ended");
        }
        boolean scriptGone = a.get().pid().isEmpty() || !ProcTable.isAlive(a.get().pid().get(), a.get().pidStart().orElse(""));
        if (scriptGone && a.get().startedAt().isBefore(Instant.now().minus(Duration.ofMinutes(10)))) {
            return Optional.of("action " + a.get().action() + " of " + a.get().pipeline() + " was never recorded as ended (the process running it died)");
        }
        return Optional.empty();
    }

    /** Not finished, and the Sluice process recorded as driving it is gone (pid and start time checked). */
    private boolean abandoned(RunRecord r) {
        if (r.state().isTerminal()) {
            return false;
        }
        Optional<RunStore.Driver> d = store.driverOf(r.id());
        return d.isPresent() && d.get().pid() > 0 && !ProcTable.isAlive(d.get().pid(), d.get().startTime());
    }

    private static boolean teardownDue(RunRecord r) {
        return (r.teardownState() == StepState.PENDING || r.teardownState() == StepState.RUNNING) && r.startedAt().isPresent();
    }

    private boolean attemptEnded(String runId, String name, String attempt) {
        try {
            int n = Integer.parseInt(attempt);
            return store.attempts(runId).stream().anyMatch(a -> a.taskId().equals(name) && a.attempt() == n && a.endedAt().isPresent());
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Runs the run's due teardown once, in its workspace (a fresh copy of the version's files when
     * it is gone), with the run's environment and what its setup recorded, and records the outcome.
     */
    private String runTeardown(RunRecord r) {
        Optional<RunSpec> spec = specs.of(r);
        if (spec.isEmpty() || spec.get().pipeline().environment().teardown().isEmpty()) {
            return "teardown of run " + r.id() + " cannot run: the files of its version are gone";
        }
        Pipeline p = spec.get().pipeline();
        int attempt = store.attempts(r.id()).stream().filter(a -> a.taskId().equals(AttemptRecord.TEARDOWN))
                .mapToInt(AttemptRecord::attempt).max().orElse(r.round() - 1) + 1;
        Path workspace = home.workspace(r.id());
        try (LocalExecutor executor = new LocalExecutor()) {
            if (!Files.isDirectory(workspace)) {
                LocalSandbox.create(workspace, spec.get().files());
            }
            List<String> warnings = new ArrayList<>();
            TaskEnvironment env = new TaskEnvironment(environment.get(), p, spec.get().extraEnv(), warnings);
            var context = new TaskEnvironment.RunContext(p.id(), r.id(), r.logicalDate(), spec.get().interval(), workspace,
                    workspace.resolve(".sluice").resolve("tmp"), r.params());
            Files.createDirectories(context.tmpDir());
            Map<String, String> setupEnv = SetupEnv.read(workspace.resolve(".sluice").resolve("env"), warnings);
            StepState from = r.teardownState();
            Path log = home.log(r.id(), AttemptRecord.TEARDOWN, attempt);
            store.write(w -> {
                if (from == StepState.PENDING) {
                    w.stepState(r.id(), io.sluice.run.Step.TEARDOWN, StepState.PENDING, StepState.RUNNING);
                }
                w.startAttempt(r.id(), AttemptRecord.TEARDOWN, attempt, log.toString(),
                        home.exitFile(r.id(), AttemptRecord.TEARDOWN, attempt).toString());
            });
            TaskProcess process = executor.start(new ProcessSpec(p.environment().teardown().get(), workspace,
                    env.forProcess(context, io.sluice.run.Step.TEARDOWN.wireName(), attempt, setupEnv), log,
                    home.exitFile(r.id(), AttemptRecord.TEARDOWN, attempt), r.id() + "/" + AttemptRecord.TEARDOWN + "/" + attempt, false));
            long minutes = p.defaults().timeout().map(Duration::toMinutes).orElse(10L);
            int exit;
            try {
                exit = process.gone().get(Math.max(1, minutes), TimeUnit.MINUTES).exitCode();
            } catch (java.util.concurrent.TimeoutException e) {
                executor.terminate(process);
                exit = process.gone().get(1, TimeUnit.MINUTES).exitCode();
            }
            StepState to = exit == 0 ? StepState.SUCCEEDED : StepState.FAILED;
            int code = exit;
            store.write(w -> {
                w.stepState(r.id(), io.sluice.run.Step.TEARDOWN, StepState.RUNNING, to);
                w.endAttempt(r.id(), AttemptRecord.TEARDOWN, attempt, Optional.of(code), to == StepState.SUCCEEDED ? "succeeded" : "failed",
                        Optional.empty());
            });
            new RunJournal(home.journal(r.id()), java.time.Clock.systemUTC()).write("teardown run by sluice cleanup: exit " + exit);
            return "ran the teardown of run " + r.id() + ": exit " + exit + (exit == 0 ? "" : " (log: " + log + ")");
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            return "teardown of run " + r.id() + " failed to run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "teardown of run " + r.id() + " interrupted";
        }
    }
}
