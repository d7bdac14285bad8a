package io.sluice.cli;

import io.sluice.schedule.InvalidDateException;
import io.sluice.schedule.LogicalDates;
import io.sluice.server.GateJson;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/** {@code sluice audit [--since D]}: who did what and when, oldest first. */
final class AuditCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String since;

    int limit;

    boolean json;

    AuditCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "audit", "Show the audit log: deploys, refusals, rollbacks, with who, when and the outcome.")
                .option("--since", "D", "Only entries from this date (YYYY-MM-DD, local time) or instant on.", v -> since = v)
                .intOption("--limit", "<limit>", 200, "At most this many of the newest entries (default ${DEFAULT-VALUE}).", v -> limit = v)
                .flag("--json", "Print {\"entries\": [...]} as JSON.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        if (limit < 1 || limit > 100_000) {
            throw UserError.usage("--limit must be from 1 to 100000");
        }
        Optional<Instant> from = Optional.ofNullable(since).map(AuditCommand::parseSince);
        try (Cli cli = new Cli(root, spec)) {
            JsonNode entries = (cli.server().isPresent()
                    ? cli.server().get().get("/api/v1/audit?limit=" + limit + from.map(f -> "&since=" + f).orElse(""))
                    : Cli.tree(GateJson.audit(cli.gate().audit(from, limit)))).path("entries");
            if (json) {
                cli.printJson(Map.of("entries", entries));
                return 0;
            }
            if (entries.isEmpty()) {
                cli.out.println("no audit entries" + (since == null ? "" : " since " + since));
                return 0;
            }
            for (JsonNode e : entries) {
                cli.out.printf("%s  %-10s  %-9s  %-30s  %s%n", VersionsCommand.when(e.path("at"), "-"), e.path("who").asString(),
                        e.path("action").asString(), e.path("target").asString(), e.path("outcome").asString());
                if (e.path("detail").isString()) {
                    e.path("detail").asString().lines().forEach(l -> cli.out.println("    " + l));
                }
            }
            return 0;
        }
    }

    static Instant parseSince(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LogicalDates.parseDay(text).atStartOfDay(ZoneId.systemDefault()).toInstant();
            } catch (InvalidDateException e) {
                throw UserError.usage("--since: " + e.getMessage());
            }
        }
    }
}
