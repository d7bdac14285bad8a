package io.sluice.cli;

import io.sluice.pipeline.LoadedPipeline;
import io.sluice.problem.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice validate PATH...}: every problem of every pipeline, as FILE:LINE:COL: message. */
final class ValidateCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    List<String> paths;

    boolean json;

    ValidateCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "validate", "Check pipelines: schema, DAG, playbook coverage. Exit 1 if any is invalid.")
                .parameters(0, "PATH", "1..*", "Pipeline directories (or their pipeline.yaml).", v -> paths = v)
                .flag("--json", "Print the result as JSON.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        int exit = 0;
        List<Map<String, Object>> results = new ArrayList<>();
        for (String path : paths) {
            LoadedPipeline loaded;
            try {
                loaded = PipelinePaths.load(path);
            } catch (UserError e) {
                err.println("sluice: " + e.getMessage());
                exit = Math.max(exit, e.exitCode());
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("path", path);
                r.put("id", null);
                r.put("version", null);
                r.put("valid", false);
                r.put("errors", List.of(json(io.sluice.problem.Problem.error(path, 1, 1, e.getMessage()))));
                r.put("warnings", List.of());
                results.add(r);
                continue;
            }
            List<Problem> problems = loaded.allProblems();
            long errors = problems.stream().filter(Problem::isError).count();
            long warnings = problems.size() - errors;
            if (errors > 0) {
                exit = Math.max(exit, 1);
            }
            if (json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("path", path);
                r.put("id", loaded.pipeline().map(p -> (Object) p.id()).orElse(null));
                r.put("version", loaded.version());
                r.put("valid", errors == 0);
                r.put("errors", problems.stream().filter(Problem::isError).map(ValidateCommand::json).toList());
                r.put("warnings", problems.stream().filter(p -> !p.isError()).map(ValidateCommand::json).toList());
                results.add(r);
            } else {
                problems.forEach(p -> out.println(p.render()));
                String name = loaded.pipeline().map(p -> p.id()).filter(s -> !s.isEmpty()).orElse(path);
                if (errors == 0) {
                    out.println(name + ": valid" + (warnings > 0 ? " (" + plural(warnings, "warning") + ")" : "")
                            + ", " + loaded.pipeline().map(p -> plural(p.tasks().size(), "task")).orElse("")
                            + ", version " + loaded.version().substring(0, 12));
                } else {
                    out.println(path + ": invalid: " + plural(errors, "error") + (warnings > 0 ? ", " + plural(warnings, "warning") : ""));
                }
            }
        }
        if (json) {
            new Cli(root, spec).printJson(Map.of("pipelines", results));
        }
        out.flush();
        return exit;
    }

    static Map<String, Object> json(Problem p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", p.file());
        m.put("line", p.line());
        m.put("column", p.column());
        m.put("message", p.message());
        return m;
    }

    static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
