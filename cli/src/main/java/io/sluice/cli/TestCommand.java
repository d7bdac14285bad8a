package io.sluice.cli;

import io.sluice.engine.Gate;
import io.sluice.engine.TestListener;
import io.sluice.engine.TestResult;
import io.sluice.engine.TestRunner;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.problem.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice test PATH...}: every test of every pipeline, each a real run in a fresh sandbox, in parallel. */
final class TestCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    List<String> paths;

    Integer jobs;

    Path junit;

    boolean json;

    TestCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "test", "Run the tests of pipelines, each in a fresh sandbox, in parallel. Exit 0 iff all pass.")
                .parameters(0, "PATH", "1..*", "Pipeline directories.", v -> paths = v)
                .option("--jobs", "N", "Tests at a time (default: the machine's cores).", Integer.class, null, v -> jobs = v)
                .option("--junit", "FILE", "Also write the results as JUnit XML.", Path.class, null, v -> junit = v)
                .flag("--json", "Print the results as JSON.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        if (jobs != null && (jobs < 1 || jobs > 256)) {
            throw UserError.usage("--jobs must be from 1 to 256");
        }
        if (junit != null && java.nio.file.Files.isDirectory(junit)) {
            throw UserError.usage("--junit " + junit + " is a directory; give a file name, such as " + junit.resolve("junit.xml"));
        }
        try (Cli cli = new Cli(root, spec)) {
            List<LoadedPipeline> pipelines = new ArrayList<>();
            boolean broken = false;
            for (String path : PipelinePaths.distinct(paths)) {
                LoadedPipeline loaded = PipelinePaths.load(path);
                if (loaded.hasDefinitionErrors()) {
                    loaded.definitionProblems().stream().filter(Problem::isError).forEach(p -> cli.err.println(p.render()));
                    cli.err.println("sluice: " + path + " is invalid; its tests cannot run");
                    broken = true;
                } else if (loaded.pipeline().orElseThrow().tests().isEmpty()) {
                    cli.err.println("sluice: " + path + " has no tests (add a tests: block to pipeline.yaml)");
                    broken = true;
                } else {
                    pipelines.add(loaded);
                }
            }
            List<TestRunner.TestCase> cases = new ArrayList<>();
            pipelines.forEach(p -> cases.addAll(Gate.cases(p)));
            int parallel = jobs != null ? jobs : cores;
            TestProgress progress = new TestProgress(cli.out, Terminal.isInteractive() && !json, cases.size());
            if (!json && !cases.isEmpty()) {
                cli.out.println("running " + ValidateCommand.plural(cases.size(), "test") + " of "
                        + ValidateCommand.plural(pipelines.size(), "pipeline") + ", " + parallel + " at a time");
                cli.out.flush();
            }
            long started = System.nanoTime();
            List<TestResult> results = cases.isEmpty() ? List.of()
                    : Interrupts.whileRunning(new TestRunner(parallel, cli.clock, System.getenv()), cases, json ? TestListener.NONE : progress);
            long millis = (System.nanoTime() - started) / 1_000_000;
            record(cli, pipelines, results);
            if (junit != null) {
                JUnitReport.write(junit, results, java.net.InetAddress.getLoopbackAddress().getHostName());
            }
            long failed = results.stream().filter(r -> !r.passed()).count();
            if (json) {
                printJson(cli, results, millis);
            } else {
                progress.summary(results, millis);
            }
            return failed == 0 && !broken ? 0 : UserError.BAD;
        }
    }

    private void record(Cli cli, List<LoadedPipeline> pipelines, List<TestResult> results) {
        Gate gate = new Gate(cli.gate(), cli.store(), new io.sluice.engine.VersionStorage(cli.home), cli.clock, Cli.who());
        for (LoadedPipeline p : pipelines) {
            String id = p.pipeline().orElseThrow().id();
            gate.record(p, results.stream().filter(r -> r.pipeline().equals(id) && r.version().equals(p.version())).toList(), "test");
        }
    }

    private void printJson(Cli cli, List<TestResult> results, long millis) {
        List<Map<String, Object>> tests = new ArrayList<>();
        for (TestResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pipeline", r.pipeline());
            m.put("version", r.version());
            m.put("test", r.test());
            m.put("passed", r.passed());
            m.put("duration_ms", r.duration().toMillis());
            m.put("state", r.runState().orElse(null));
            m.put("problems", r.problems());
            tests.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("passed", results.stream().filter(TestResult::passed).count());
        out.put("failed", results.stream().filter(r -> !r.passed()).count());
        out.put("duration_ms", millis);
        out.put("tests", tests);
        cli.printJson(out);
    }
}
