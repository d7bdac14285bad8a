package io.sluice.cli;

import io.sluice.server.RunJson;

import io.sluice.definition.Ids;
import io.sluice.definition.Pipeline;
import io.sluice.engine.MachineCapacity;
import io.sluice.engine.RunCreator;
import io.sluice.engine.RunDriver;
import io.sluice.engine.RunSpec;
import io.sluice.engine.Workspaces;
import io.sluice.executor.LocalExecutor;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.problem.Problem;
import io.sluice.run.RunState;
import io.sluice.schedule.Interval;
import io.sluice.schedule.InvalidDateException;
import io.sluice.schedule.LogicalDates;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice run PATH}: a dev run of a working copy, waited for with live progress; exit 0 iff it succeeded. */
final class RunCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String target;

    String date;

    List<String> params;

    boolean detach;

    boolean json;

    RunCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "run", "Run a pipeline directory (a dev run of the working copy) or a deployed pipeline's active version, and wait for it.")
                .parameter(0, "PATH|PIPELINE", "1", "A pipeline directory, or the id of a deployed pipeline.", v -> target = v)
                .option("--date", "D", "Logical date: YYYY-MM-DD (or a date-time for sub-daily schedules).", v -> date = v)
                .repeatable("--param", "K=V", "Override a param; repeatable.", v -> params = v)
                .flag("--detach", "Start the run and return at once (needs a server).", v -> detach = v)
                .flag("--json", "Print the finished run as JSON instead of progress.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        Trace.mark("arguments parsed");
        boolean deployed = !Files.exists(Path.of(target)) && Ids.isValid(target);
        try (Cli cli = new Cli(root, spec)) {
            if (deployed && cli.server().isPresent()) {
                return throughServer(cli, cli.server().get());
            }
            if (detach) {
                throw UserError.usage("--detach needs a running server (sluice server) and a deployed pipeline;"
                        + " without them, sluice run waits for the run");
            }
            if (!deployed) {
                cli.openStoreAhead();
            }
            LoadedPipeline loaded = deployed ? activeVersion(cli) : PipelineAhead.take(target, cli.home.root());
            Trace.mark("pipeline loaded and validated");
            if (loaded.hasDefinitionErrors()) {
                loaded.definitionProblems().forEach(p -> cli.err.println(p.render()));
                cli.err.println("sluice: " + target + " is invalid (" + ValidateCommand.plural(
                        loaded.definitionProblems().stream().filter(Problem::isError).count(), "error") + "); nothing ran");
                return UserError.BAD;
            }
            Pipeline pipeline = loaded.pipeline().orElseThrow();
            if (pipeline.environment().executor() == io.sluice.definition.ExecutorKind.KUBERNETES
                    && !io.sluice.kubernetes.Clusters.configured(System.getenv())) {
                cli.err.println("sluice: " + target + " runs its tasks on Kubernetes, but no cluster is configured"
                        + " (set KUBECONFIG, or write ~/.kube/config); nothing ran");
                return UserError.BAD;
            }
            Map<String, String> resolvedParams = Params.resolve(pipeline.params(), params);
            Interval interval;
            try {
                interval = LogicalDates.manual(pipeline.schedule(), pipeline.timezone(), Optional.ofNullable(date), cli.clock.instant());
            } catch (InvalidDateException e) {
                throw UserError.usage("--date: " + e.getMessage());
            }
            if (loaded.hasPlaybookErrors() && !json && !deployed) {
                cli.err.println("note: PLAYBOOK.md has problems (sluice validate " + target + " lists them); deploy would refuse it");
            }
            RunSpec runSpec = new RunSpec(pipeline, loaded.files(), loaded.version(), loaded.pipelineYaml().orElse(""),
                    loaded.playbookMd(), loaded.playbook().orElse(io.sluice.playbook.Playbook.EMPTY), deployed ? RunKind.MANUAL : RunKind.DEV,
                    deployed ? Optional.empty() : Optional.of(loaded.files().root()), interval,
                    LogicalDates.format(interval, pipeline.schedule(), pipeline.timezone()), resolvedParams, Optional.empty(),
                    Map.of(), MachineCapacity.detect());
            return runAndWait(cli, runSpec);
        }
    }

    private int runAndWait(Cli cli, RunSpec runSpec) {
        cli.store();
        Trace.mark("database open");
        Workspaces.removeLeftovers(cli.store(), cli.home);
        String runId = new RunCreator(cli.store(), cli.clock).create(runSpec);
        Trace.mark("run created");
        int nameWidth = runSpec.pipeline().tasks().stream().mapToInt(t -> t.id().length()).max().orElse(8);
        ProgressPrinter progress = new ProgressPrinter(cli.out, Terminal.isInteractive(), runSpec.pipeline().tasks().size(), nameWidth);
        if (!json) {
            cli.out.println("run " + runId + ": " + runSpec.pipeline().id() + " " + runSpec.logicalDate()
                    + (runSpec.kind() == RunKind.DEV ? " (dev run of " + target + ", version " : " (deployed version ")
                    + runSpec.version().substring(0, 12) + ")");
            cli.out.flush();
        }
        try (LocalExecutor executor = new LocalExecutor()) {
            Trace.mark("executor ready");
            RunDriver driver = new RunDriver(cli.store(), cli.home, executor, cli.clock,
                    json ? io.sluice.engine.RunListener.NONE : progress);
            Interrupts.onInterrupt(driver::cancel);
            try {
                RunRecord finished = driver.drive(runId, runSpec);
                Trace.mark("run finished");
                io.sluice.engine.Failures.gaps(cli.store(), finished, runSpec.playbook(), runSpec.kind().wireName(), cli.clock.instant())
                        .forEach(gap -> cli.gate().recordGap(gap)); // the gate store only when there is a gap
                progress.close();
                if (json) {
                    cli.printJson(RunJson.run(finished, cli.store().tasks(runId)));
                } else {
                    summary(cli, finished);
                }
                return finished.state() == RunState.SUCCEEDED ? 0 : UserError.BAD;
            } finally {
                progress.close();
                cli.out.flush();
            }
        }
    }

    /**
     * A run of the deployed pipeline, created and run by the server: followed until it ends
     * (Ctrl-C stops following; the run goes on), or left at once with --detach.
     */
    private int throughServer(Cli cli, ServerClient server) {
        Map<String, String> given = new java.util.LinkedHashMap<>();
        for (String arg : params) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw UserError.usage("--param '" + arg + "': expected NAME=VALUE");
            }
            given.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        if (date != null) {
            body.put("date", date);
        }
        body.put("params", given);
        tools.jackson.databind.JsonNode created = server.post("/api/v1/pipelines/" + target + "/runs", body);
        String runId = created.path("id").asString();
        if (detach) {
            if (json) {
                cli.printJson(created);
            } else {
                cli.out.println("run " + runId + ": " + target + " " + created.path("logical_date").asString() + " created on " + server.url()
                        + " (" + created.path("state").asString() + ")");
                cli.out.println("  follow: sluice status --run " + runId + cli.homeFlag() + "; sluice logs " + runId + " --follow" + cli.homeFlag());
            }
            return 0;
        }
        int width = 8;
        for (tools.jackson.databind.JsonNode t : created.path("tasks")) {
            width = Math.max(width, t.path("id").asString().length());
        }
        ProgressPrinter progress = new ProgressPrinter(cli.out, Terminal.isInteractive(), created.path("tasks").size(), width);
        if (!json) {
            cli.out.println("run " + runId + ": " + target + " " + created.path("logical_date").asString() + " (deployed version "
                    + StatusCommand.abbreviate(created.path("version").asString()) + ", on the server at " + server.url() + ")");
            cli.out.flush();
        }
        ServerRunFollower follower = new ServerRunFollower(server, json ? io.sluice.engine.RunListener.NONE : progress);
        Interrupts.onInterrupt(reason -> follower.stop());
        tools.jackson.databind.JsonNode finished = follower.follow(runId);
        progress.close();
        if (!finished.path("ended_at").isString()) {
            cli.err.println("sluice: stopped following; run " + runId + " goes on on the server (sluice cancel " + runId + " stops it)");
            return UserError.BAD;
        }
        if (json) {
            cli.printJson(finished);
        } else {
            String state = finished.path("state").asString();
            String took = StatusCommand.took(finished, cli.clock.instant());
            if (state.equals("succeeded")) {
                cli.out.println("run " + runId + " succeeded in " + took);
            } else {
                cli.out.println("run " + runId + " " + state + " in " + took + ": " + finished.path("reason").asString(""));
                cli.out.println("  why:  sluice why " + runId + cli.homeFlag());
                cli.out.println("  logs: sluice logs " + runId + cli.homeFlag() + " TASK");
            }
            cli.out.flush();
        }
        return finished.path("state").asString().equals("succeeded") ? 0 : UserError.BAD;
    }

    /** The active version of the pipeline named {@code target}, from the files the gate stored. */
    private LoadedPipeline activeVersion(Cli cli) {
        String version = cli.gate().activeVersion(target).orElseThrow(() -> UserError.usage("'" + target
                + "' is neither a pipeline directory nor a deployed pipeline (sluice deploy PATH deploys one)"));
        Path stored = new io.sluice.engine.VersionStorage(cli.home).pathOf(version);
        try {
            LoadedPipeline loaded = io.sluice.pipeline.PipelineLoader.load(stored, target);
            if (!loaded.version().equals(version)) {
                throw new UserError(UserError.BAD, "the stored files of " + target + " version " + version.substring(0, 12)
                        + " were changed (their hash is now " + loaded.version().substring(0, 12) + "); redeploy it");
            }
            return loaded;
        } catch (java.io.IOException e) {
            throw new UserError(UserError.BAD, "cannot read the stored version " + version.substring(0, 12) + " of " + target
                    + " in " + stored + ": " + e.getMessage());
        }
    }

    private void summary(Cli cli, RunRecord run) {
        Duration took = Duration.between(run.startedAt().orElse(run.createdAt()), run.endedAt().orElse(cli.clock.instant()));
        String time = String.format("%.1fs", took.toMillis() / 1000.0);
        if (run.state() == RunState.SUCCEEDED) {
            cli.out.println("run " + run.id() + " succeeded in " + time);
        } else {
            cli.out.println("run " + run.id() + " " + run.state().wireName() + " in " + time + ": " + run.reason().orElse(""));
            cli.out.println("  why:  sluice why " + run.id() + homeFlag(cli));
            cli.out.println("  logs: sluice logs " + run.id() + homeFlag(cli) + " TASK");
        }
        cli.out.flush();
    }

    private String homeFlag(Cli cli) {
        return root.home == null ? "" : " --home " + root.home;
    }
}
