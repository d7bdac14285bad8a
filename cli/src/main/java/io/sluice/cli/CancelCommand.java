package io.sluice.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sluice cancel RUN}: asks the server to stop a run (its processes, then teardown), and says so. */
@Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Cancel a run on the server: its processes are stopped, teardown runs, unfinished tasks become cancelled.")
final class CancelCommand implements Callable<Integer> {
    @ParentCommand
    Sluice root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN")
    String runId;

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
