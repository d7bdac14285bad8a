package io.sluice.cli;

import io.sluice.server.Explanations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice why RUN}: each failure of a run, its log excerpt, and the playbook entry with its
 * steps. The explanation is data (from the server, or computed on the home); this renders it.
 */
final class WhyCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String runId;

    boolean json;

    WhyCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "why", "Explain a run's failures: error excerpt and the matching playbook entry.")
                .parameter(0, "RUN", "1", "", v -> runId = v)
                .flag("--json", "Print the explanation as JSON.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        try (Cli cli = new Cli(root, spec)) {
            JsonNode why = cli.server().isPresent()
                    ? cli.server().get().get("/api/v1/runs/" + Lookup.checkedId(runId) + "/why")
                    : Cli.tree(Explanations.json(cli.store(), Lookup.run(cli, runId)));
            if (json) {
                cli.printJson(why);
            } else {
                print(cli, why);
            }
            return 0;
        }
    }

    private void print(Cli cli, JsonNode why) {
        var out = cli.out;
        JsonNode run = why.path("run");
        String id = run.path("id").asString();
        String state = run.path("state").asString();
        out.println("run " + id + ": " + run.path("pipeline").asString() + " " + run.path("logical_date").asString() + " " + state
                + (run.path("reason").isString() ? " (" + run.path("reason").asString() + ")" : ""));
        if (why.path("failures").isEmpty()) {
            boolean ended = !run.path("ended_at").isNull() && !run.path("ended_at").isMissingNode();
            out.println(ended ? "nothing failed." : "nothing has failed so far; the run is " + state + ".");
        }
        for (JsonNode f : why.path("failures")) {
            String task = f.path("task").asString();
            String kind = f.path("kind").asString();
            out.println();
            out.println(task + ": " + kind.replace('_', ' ') + " (attempt " + f.path("attempt").asInt()
                    + (f.path("exit_code").isNumber() ? ", exit " + f.path("exit_code").asInt() : "") + ")");
            String excerpt = f.path("excerpt").asString("");
            if (excerpt.isBlank()) {
                out.println("  log: (empty)");
            } else {
                out.println("  log (last lines):");
                excerpt.lines().forEach(l -> out.println("    | " + l));
            }
            JsonNode entry = f.path("playbook");
            if (entry.isObject()) {
                out.println("  playbook: " + entry.path("title").asString() + "   [match: " + entry.path("match").asString() + "]");
                out.println("  Diagnose:");
                entry.path("diagnose").asString("").lines().forEach(l -> out.println("    " + l));
                out.println("  Fix:");
                entry.path("fix").asString("").lines().forEach(l -> out.println("    " + l));
                if (!entry.path("actions").isEmpty()) {
                    out.println("  Fix scripts it names (a person decides; each asks first):");
                    entry.path("actions").forEach(a -> out.println("    " + a.path("command").asString()));
                }
            } else {
                out.println("  playbook: no entry matches this failure. Add one to PLAYBOOK.md, for example:");
                out.println("    ## " + task + " " + kind.replace('_', ' '));
                out.println("    match: " + (task.equals("setup") || task.equals("teardown") ? "" : "task=" + task + " ") + "kind=" + kind);
            }
            out.println("  full log: sluice logs " + id + " " + task);
        }
        if (!why.path("not_run").isEmpty()) {
            out.println();
            for (JsonNode t : why.path("not_run")) {
                out.println(t.path("id").asString() + ": " + t.path("state").asString()
                        + (t.path("reason").isString() ? " (" + t.path("reason").asString() + ")" : ""));
            }
        }
    }
}
