package io.sluice.cli;

import io.sluice.server.GateJson;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/** {@code sluice versions PIPELINE}: the versions the gate knows, newest first, with their tests. */
final class VersionsCommand implements Callable<Integer> {
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Sluice root;

    CommandSpec spec;

    String pipeline;

    boolean json;

    VersionsCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "versions", "List a pipeline's versions: which is active, when each was deployed, its test results.")
                .parameter(0, "PIPELINE", "1", "", v -> pipeline = v)
                .flag("--json", "Print {\"versions\": [...]} as JSON.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        if (!io.sluice.definition.Ids.isValid(pipeline)) {
            throw UserError.usage("'" + pipeline + "' is not a pipeline id");
        }
        try (Cli cli = new Cli(root, spec)) {
            JsonNode versions = cli.server().isPresent()
                    ? cli.server().get().get("/api/v1/pipelines/" + pipeline + "/versions")
                    : Cli.tree(GateJson.versions(cli.gate(), pipeline));
            if (versions.path("versions").isEmpty()) {
                throw UserError.usage("no versions of '" + pipeline + "' (sluice deploy PATH tests and stores one)");
            }
            if (json) {
                cli.printJson(versions);
                return 0;
            }
            cli.out.printf("%-12s  %-6s  %-19s  %s%n", "VERSION", "ACTIVE", "DEPLOYED", "TESTS");
            for (JsonNode v : versions.path("versions")) {
                cli.out.printf("%-12s  %-6s  %-19s  %s%n", StatusCommand.abbreviate(v.path("version").asString()),
                        v.path("active").asBoolean() ? "yes" : "", when(v.path("deployed_at"), "not deployed"), tests(v));
            }
            return 0;
        }
    }

    static String when(JsonNode instant, String otherwise) {
        return instant.isString() ? WHEN.format(Instant.parse(instant.asString())) : otherwise;
    }

    private static String tests(JsonNode v) {
        if (!v.path("tested_at").isString()) {
            return "never tested";
        }
        long passed = 0;
        for (JsonNode t : v.path("tests")) {
            passed += t.path("passed").asBoolean() ? 1 : 0;
        }
        return passed + "/" + v.path("tests").size() + " passed, " + when(v.path("tested_at"), "") + " by "
                + v.path("tested_by").asString() + " (" + v.path("tested_for").asString() + ")";
    }
}
