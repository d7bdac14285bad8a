package io.sluice.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice cancel RUN}: asks the server to stop a run (its processes, then teardown), and says so. */
final class CancelCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String runId;

    CancelCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "cancel", "Cancel a run on the server: its processes are stopped, teardown runs, unfinished tasks become cancelled.")
                .parameter(0, "RUN", "1", "", v -> runId = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        String id = Lookup.checkedId(runId);
        try (Cli cli = new Cli(root, spec)) {
            ServerClient server = cli.server().orElseThrow(() -> UserError.usage(
                    "no server runs on this home; a run started by sluice run stops with Ctrl-C in its terminal"));
            var answer = server.post("/api/v1/runs/" + id + "/cancel", Map.of());
            cli.out.println("run " + answer.path("run").asString(id) + ": cancel requested; sluice status --run " + id + cli.homeFlag() + " shows when it has stopped");
            return 0;
        }
    }
}
