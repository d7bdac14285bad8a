package io.sluice.cli;

import io.sluice.definition.Ids;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice backfill PIPELINE --from D --to D}: one run per schedule interval whose logical
 * date lies in the range, created on the server, which runs them honouring max_active_runs. An
 * interval that already has a run keeps it (creating a run for an interval is idempotent).
 */
final class BackfillCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String pipeline;

    String from;

    String to;

    boolean json;

    BackfillCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "backfill", "Create one run per interval from --from to --to (both included) on the server; they run as max_active_runs allows.")
                .parameter(0, "PIPELINE", "1", "", v -> pipeline = v)
                .requiredOption("--from", "D", "First logical date (YYYY-MM-DD, or a date-time for sub-daily schedules).", v -> from = v)
                .requiredOption("--to", "D", "Last logical date, included.", v -> to = v)
                .flag("--json", "Print {\"runs\": [...], \"already_there\": [...]}.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        if (!Ids.isValid(pipeline)) {
            throw UserError.usage("'" + pipeline + "' is not a pipeline id");
        }
        try (Cli cli = new Cli(root, spec)) {
            ServerClient server = cli.server().orElseThrow(() -> UserError.usage(
                    "backfill needs a running server to run the runs it creates (start one: sluice server" + cli.homeFlag() + ")"));
            JsonNode answer = server.post("/api/v1/pipelines/" + pipeline + "/backfill", Map.of("from", from, "to", to));
            if (json) {
                cli.printJson(answer);
                return 0;
            }
            for (JsonNode r : answer.path("runs")) {
                cli.out.println("run " + r.path("id").asString() + ": " + pipeline + " " + r.path("logical_date").asString() + " " + r.path("state").asString());
            }
            for (JsonNode d : answer.path("already_there")) {
                cli.out.println(pipeline + " " + d.asString() + ": already has a run; left as it is");
            }
            cli.out.println(ValidateCommand.plural(answer.path("runs").size(), "run") + " created; sluice status " + pipeline + cli.homeFlag() + " follows them");
            return 0;
        }
    }
}
