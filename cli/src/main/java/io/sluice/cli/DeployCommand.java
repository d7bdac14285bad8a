package io.sluice.cli;

import io.sluice.definition.Pipeline;
import io.sluice.engine.Gate;
import io.sluice.engine.TestListener;
import io.sluice.engine.TestResult;
import io.sluice.engine.TestRunner;
import io.sluice.engine.VersionStorage;
import io.sluice.pipeline.LoadedPipeline;
import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sluice deploy PATH...}: the gate. Validate, require a playbook and tests, run the tests,
 * and only when all pass store and activate the version. Deliberately no option to skip or weaken
 * any of it.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Validate, test and activate pipelines. A pipeline is activated only when it is valid, has a playbook"
                + " that covers it and tests, and every test passes; there is no way around that. A version whose exact"
                + " content already passed is activated without running its tests again.")
final class DeployCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @ParentCommand
    Sluice root;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Pipeline directories.")
    List<String> paths;

    @Option(names = "--json", description = "Print each pipeline's outcome as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        try (Cli cli = new Cli(root, spec)) {
            Gate gate = new Gate(cli.gate(), cli.store(), new VersionStorage(cli.home), cli.clock, Cli.who());
            Map<String, Pipeline> active = gate.activePipelines();
            Map<String, LoadedPipeline> loaded = new LinkedHashMap<>();
            Map<String, List<String>> checks = new LinkedHashMap<>();
            List<TestRunner.TestCase> cases = new ArrayList<>();
            java.util.Set<String> tested = new java.util.HashSet<>();
            for (String path : PipelinePaths.distinct(paths)) {
                loaded.put(path, PipelinePaths.load(path));
            }
            // a cycle may hide in the batch itself: check each pipeline against the active ones and this deploy's others
            Map<String, Pipeline> graph = new LinkedHashMap<>(active);
            loaded.values().forEach(p -> p.pipeline().ifPresent(d -> graph.put(d.id(), d)));
            for (var e : loaded.entrySet()) {
                LoadedPipeline p = e.getValue();
                Map<String, Pipeline> others = new LinkedHashMap<>(graph);
                p.pipeline().ifPresent(d -> others.remove(d.id()));
                List<String> reasons = gate.check(p, others);
                checks.put(e.getKey(), reasons);
                if (reasons.isEmpty() && needsTests(cli, p)) {
                    cases.addAll(Gate.cases(p));
                    tested.add(e.getKey());
                }
            }
            if (!cases.isEmpty() && !json) {
                cli.out.println("testing: " + ValidateCommand.plural(cases.size(), "test") + ", "
                        + Runtime.getRuntime().availableProcessors() + " at a time");
                cli.out.flush();
            }
            List<TestResult> results = cases.isEmpty() ? List.of() : Interrupts.whileRunning(new TestRunner(Runtime.getRuntime().availableProcessors(),
                    cli.clock, System.getenv()), cases, json ? TestListener.NONE
                    : new TestProgress(cli.out, Terminal.isInteractive(), cases.size()));
            int exit = 0;
            List<Map<String, Object>> outcomes = new ArrayList<>();
            for (var e : loaded.entrySet()) {
                LoadedPipeline p = e.getValue();
                String id = p.pipeline().map(Pipeline::id).orElse("");
                // a process no test could be blamed for fails every pipeline tested in this deploy
                List<TestResult> mine = results.stream().filter(r -> (r.pipeline().equals(id) && r.version().equals(p.version()))
                        || (r.pipeline().equals("(session)") && tested.contains(e.getKey()))).toList();
                Gate.Decision d = gate.decide(e.getKey(), p, checks.get(e.getKey()), mine);
                if (d.refused()) {
                    exit = UserError.BAD;
                }
                if (json) {
                    outcomes.add(json(d));
                } else {
                    print(cli, d);
                }
            }
            if (json) {
                cli.printJson(Map.of("deployments", outcomes));
            }
            return exit;
        }
    }

    private static boolean needsTests(Cli cli, LoadedPipeline p) {
        String id = p.pipeline().orElseThrow().id();
        return !cli.gate().activeVersion(id).equals(java.util.Optional.of(p.version()))
                && cli.gate().greenSession(p.version()).isEmpty();
    }

    private void print(Cli cli, Gate.Decision d) {
        String v = d.version().substring(0, 12);
        switch (d.outcome()) {
            case DEPLOYED -> cli.out.println(d.pipeline() + ": deployed version " + v + " (" + ValidateCommand.plural(d.tests().size(), "test")
                    + " passed); it is now active");
            case ALREADY_GREEN -> cli.out.println(d.pipeline() + ": deployed version " + v + " without testing it again: the same version passed "
                    + ValidateCommand.plural(d.greenSession().get().outcomes().size(), "test") + " on "
                    + WHEN.format(d.greenSession().get().endedAt()) + " (by " + d.greenSession().get().who() + ")");
            case UNCHANGED -> cli.out.println(d.pipeline() + ": version " + v + " is already active; nothing to do");
            case REFUSED -> {
                cli.out.println(d.pipeline() + ": refused; the active version is unchanged. Because:");
                d.reasons().forEach(r -> cli.out.println("  - " + r));
            }
        }
        cli.out.flush();
    }

    private static Map<String, Object> json(Gate.Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", d.path());
        m.put("pipeline", d.pipeline());
        m.put("version", d.version());
        m.put("outcome", d.outcome().name().toLowerCase(java.util.Locale.ROOT));
        m.put("reasons", d.reasons());
        m.put("tests", d.tests().stream().map(t -> Map.of("test", t.test(), "passed", t.passed(),
                "duration_ms", t.duration().toMillis(), "problems", t.problems())).toList());
        return m;
    }
}
