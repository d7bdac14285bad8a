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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code sluice audit [--since D]}: who did what and when, oldest first. */
@Command(name = "audit", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Show the audit log: deploys, refusals, rollbacks, with who, when and the outcome.")
final class AuditCommand implements Callable<Integer> {
    @ParentCommand
    Sluice root;

    @Spec
    CommandSpec spec;

    @Option(names = "--since", paramLabel = "D", description = "Only entries from this date (YYYY-MM-DD, local time) or instant on.")
    String since;

    @Option(names = "--limit", defaultValue = "200", description = "At most this many of the newest entries (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print {\"entries\": [...]} as JSON.")
    boolean json;

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
