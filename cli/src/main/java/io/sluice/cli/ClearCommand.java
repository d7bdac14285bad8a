package io.sluice.cli;

import io.sluice.definition.Ids;
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
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice clear RUN [--task T]... [--downstream] [--yes]} (or {@code clear PIPELINE --date D}):
 * resets tasks of a finished run so that the server runs them again, on the same version, in a
 * fresh workspace. Shows exactly what it will reset and asks first.
 */
@Command(name = "clear", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Reset tasks of a finished run so that the server runs them again (same version, fresh workspace). "
                + "Default: every task that did not succeed.")
final class ClearCommand implements Callable<Integer> {
    @ParentCommand
    Sluice root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN|PIPELINE", description = "A run id (or a unique prefix), or a pipeline id with --date.")
    String target;

    @Option(names = "--date", paramLabel = "D", description = "With a pipeline id: clear its newest run for this logical date.")
    String date;

    @Option(names = "--task", paramLabel = "T", description = "Reset this task (repeatable); default: every task that did not succeed.")
    List<String> tasks = new ArrayList<>();

    @Option(names = "--downstream", description = "Also reset every task below the chosen ones.")
    boolean downstream;

    @Option(names = "--yes", description = "Do not ask.")
    boolean yes;

    @Option(names = "--json", description = "Print what was reset as JSON (needs --yes).")
    boolean json;

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
