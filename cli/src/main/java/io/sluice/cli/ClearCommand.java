package io.sluice.cli;

import io.sluice.definition.Ids;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice clear RUN [--task T]... [--downstream] [--yes]} (or {@code clear PIPELINE --date D}):
 * resets tasks of a finished run so that the server runs them again, on the same version, in a
 * fresh workspace. Shows exactly what it will reset and asks first.
 */
final class ClearCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String target;

    String date;

    List<String> tasks;

    boolean downstream;

    boolean yes;

    boolean json;

    ClearCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "clear", "Reset tasks of a finished run so that the server runs them again (same version, fresh workspace). " + "Default: every task that did not succeed.")
                .parameter(0, "RUN|PIPELINE", "1", "A run id (or a unique prefix), or a pipeline id with --date.", v -> target = v)
                .option("--date", "D", "With a pipeline id: clear its newest run for this logical date.", v -> date = v)
                .repeatable("--task", "T", "Reset this task (repeatable); default: every task that did not succeed.", v -> tasks = v)
                .flag("--downstream", "Also reset every task below the chosen ones.", v -> downstream = v)
                .flag("--yes", "Do not ask.", v -> yes = v)
                .flag("--json", "Print what was reset as JSON (needs --yes).", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        for (String t : tasks) {
            if (!Ids.isValid(t)) {
                throw UserError.usage("--task '" + t + "' is not a task id");
            }
        }
        String path;
        Map<String, Object> body = new LinkedHashMap<>();
        if (date != null) {
            if (!Ids.isValid(target)) {
                throw UserError.usage("'" + target + "' is not a pipeline id");
            }
            path = "/api/v1/pipelines/" + target + "/clear";
            body.put("date", date);
        } else {
            path = "/api/v1/runs/" + Lookup.checkedId(target) + "/clear";
        }
        body.put("tasks", tasks);
        body.put("downstream", downstream);
        if (json && !yes) {
            throw UserError.usage("--json prints what was cleared: add --yes");
        }
        try (Cli cli = new Cli(root, spec)) {
            ServerClient server = cli.server().orElseThrow(() -> UserError.usage(
                    "clear needs a running server to run the cleared tasks (start one: sluice server" + cli.homeFlag() + ")"));
            Map<String, Object> dry = new LinkedHashMap<>(body);
            dry.put("dry_run", true);
            JsonNode preview = server.post(path, dry);
            String run = preview.path("run").asString();
            List<String> names = new ArrayList<>();
            preview.path("tasks").forEach(t -> names.add(t.asString()));
            if (!json) {
                cli.out.println("run " + run + ": " + preview.path("pipeline").asString() + " " + preview.path("logical_date").asString()
                        + " (" + preview.path("state").asString() + ")");
                cli.out.println("will reset " + ValidateCommand.plural(names.size(), "task") + ": " + String.join(", ", names));
                cli.out.println("then the server runs them again on the same version, in a fresh workspace (setup and teardown run again)");
            }
            if (!yes && !Confirm.ask(cli, "Clear?")) {
                cli.out.println("nothing was changed");
                return 0;
            }
            body.put("tasks", names); // exactly what was shown, even if the run changed meanwhile
            body.put("downstream", false);
            JsonNode done = server.post("/api/v1/runs/" + run + "/clear", body);
            if (json) {
                cli.printJson(done);
                return 0;
            }
            cli.out.println("run " + run + " cleared: queued again; sluice status --run " + run + cli.homeFlag() + " follows it");
            return 0;
        }
    }
}
