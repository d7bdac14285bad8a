package io.sluice.cli;

import io.sluice.definition.Pipeline;
import io.sluice.engine.Gate;
import io.sluice.engine.TestListener;
import io.sluice.engine.TestResult;
import io.sluice.engine.TestRunner;
import io.sluice.engine.VersionStorage;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.engine.Bundles;
import io.sluice.server.Deployer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice deploy PATH...}: the gate. Validate, require a playbook and tests, run the tests,
 * and only when all pass store and activate the version. Deliberately no option to skip or weaken
 * any of it.
 */
final class DeployCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    List<String> paths;

    boolean json;

    DeployCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "deploy", "Validate, test and activate pipelines. A pipeline is activated only when it is valid, has a playbook" + " that covers it and tests, and every test passes; there is no way around that. A version whose exact" + " content already passed is activated without running its tests again.")
                .parameters(0, "PATH", "1..*", "Pipeline directories.", v -> paths = v)
                .flag("--json", "Print each pipeline's outcome as JSON.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() throws IOException {
        try (Cli cli = new Cli(root, spec)) {
            if (cli.server().isPresent()) {
                return throughServer(cli, cli.server().get());
            }
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
                    outcomes.add(Deployer.json(d));
                } else {
                    print(cli, Cli.tree(Deployer.json(d)));
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

    /**
     * Sends each pipeline to the server as a bundle; the server runs the gate itself (it never
     * trusts a test result from a client), one pipeline after the other.
     */
    private int throughServer(Cli cli, ServerClient server) throws IOException {
        int exit = 0;
        List<JsonNode> outcomes = new ArrayList<>();
        for (String path : PipelinePaths.distinct(paths)) {
            LoadedPipeline loaded = PipelinePaths.load(path);
            if (!json) {
                cli.out.println(path + ": sent to " + server.url() + "; the server validates and tests it");
                cli.out.flush();
            }
            JsonNode d = server.postBytes("/api/v1/pipelines", Bundles.zip(loaded.files()));
            ((tools.jackson.databind.node.ObjectNode) d).put("path", path);
            if (d.path("outcome").asString().equals("refused")) {
                exit = UserError.BAD;
            }
            if (json) {
                outcomes.add(d);
            } else {
                print(cli, d);
            }
        }
        if (json) {
            cli.printJson(Map.of("deployments", outcomes));
        }
        return exit;
    }

    private void print(Cli cli, JsonNode d) {
        String pipeline = d.path("pipeline").asString();
        String v = StatusCommand.abbreviate(d.path("version").asString());
        int tests = d.path("tests").size();
        switch (d.path("outcome").asString()) {
            case "deployed" -> cli.out.println(pipeline + ": deployed version " + v + " (" + ValidateCommand.plural(tests, "test")
                    + " passed); it is now active");
            case "already_green" -> cli.out.println(pipeline + ": deployed version " + v + " without testing it again: the same version"
                    + " passed its tests on " + VersionsCommand.when(d.path("tested_before").path("at"), "an earlier deploy")
                    + " (by " + d.path("tested_before").path("by").asString("?") + ")");
            case "unchanged" -> cli.out.println(pipeline + ": version " + v + " is already active; nothing to do");
            default -> {
                cli.out.println((pipeline.isEmpty() ? d.path("path").asString() : pipeline) + ": refused; the active version is unchanged. Because:");
                d.path("reasons").forEach(r -> cli.out.println("  - " + r.asString()));
            }
        }
        cli.out.flush();
    }
}
