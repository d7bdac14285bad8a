package io.sluice.cli;

import io.sluice.server.RunJson;
import io.sluice.engine.Cleanup;
import io.sluice.engine.MachineCapacity;
import io.sluice.engine.VersionStorage;
import io.sluice.server.RunSpecs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice cleanup [--apply]}: lists what finished or abandoned runs left behind (workspaces,
 * processes, due teardowns, temp files); with --apply removes it and says what it did. Works
 * through the server when one runs, else on the home directly.
 */
final class CleanupCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    boolean apply;

    boolean json;

    CleanupCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "cleanup", "List what finished runs left behind (workspaces, processes, teardowns not done, temp files); --apply removes it.")
                .flag("--apply", "Remove what is listed: kill the processes, run the due teardowns, delete workspaces and temp files.", v -> apply = v)
                .flag("--json", "Print {\"leftovers\": [{\"kind\", \"run\", \"what\", \"detail\"}], \"applied\", \"done\"}.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        try (Cli cli = new Cli(root, spec)) {
            JsonNode answer;
            var server = cli.server();
            if (server.isPresent()) {
                answer = apply ? server.get().post("/api/v1/cleanup", Map.of()) : server.get().get("/api/v1/cleanup");
            } else {
                Cleanup cleanup = new Cleanup(cli.store(), cli.home,
                        new RunSpecs(cli.store(), new VersionStorage(cli.home), cli.home, MachineCapacity.detect(), cli.gate()::bundle)::find, System::getenv);
                List<Cleanup.Leftover> found = cleanup.find();
                List<String> done = apply ? cleanup.apply(Cli.who()) : List.of();
                cli.gate().audit(Cli.who(), "cleanup", apply ? "apply" : "list", found.size() + (found.size() == 1 ? " leftover" : " leftovers")
                        + (apply ? " removed" : " found"), null);
                List<Map<String, String>> leftovers = new ArrayList<>();
                found.forEach(l -> leftovers.add(RunJson.object("kind", l.kind(), "run", l.run(), "what", l.what(), "detail", l.detail())));
                answer = Cli.tree(RunJson.object("leftovers", leftovers, "applied", apply, "done", done));
            }
            if (json) {
                cli.printJson(answer);
                return 0;
            }
            JsonNode leftovers = answer.path("leftovers");
            if (leftovers.isEmpty()) {
                cli.out.println("nothing left behind");
                return 0;
            }
            if (!apply) {
                cli.out.println(String.format("%-10s %-13s %s", "KIND", "RUN", "WHAT"));
            }
            for (JsonNode l : leftovers) {
                if (!apply) {
                    cli.out.println(String.format("%-10s %-13s %s", l.path("kind").asString(), l.path("run").asString(), l.path("what").asString()));
                    cli.out.println(String.format("%-10s %-13s   %s", "", "", l.path("detail").asString()));
                }
            }
            if (apply) {
                answer.path("done").forEach(d -> cli.out.println(d.asString()));
                cli.out.println("cleanup done: " + ValidateCommand.plural(leftovers.size(), "leftover") + " handled");
            } else {
                cli.out.println(ValidateCommand.plural(leftovers.size(), "leftover") + "; sluice cleanup --apply" + cli.homeFlag() + " removes them");
            }
            return 0;
        }
    }
}
