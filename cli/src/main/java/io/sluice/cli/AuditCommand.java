package io.sluice.cli;

import io.sluice.schedule.InvalidDateException;
import io.sluice.schedule.LogicalDates;
import io.sluice.store.AuditEntry;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

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
            List<AuditEntry> entries = cli.gate().audit(from, limit);
            if (json) {
                cli.printJson(Map.of("entries", entries.stream().map(AuditCommand::json).toList()));
                return 0;
            }
            if (entries.isEmpty()) {
                cli.out.println("no audit entries" + (since == null ? "" : " since " + since));
                return 0;
            }
            for (AuditEntry e : entries) {
                cli.out.printf("%s  %-10s  %-9s  %-30s  %s%n", VersionsCommand.WHEN.format(e.at()), e.who(), e.action(), e.target(), e.outcome());
                e.detail().ifPresent(d -> d.lines().forEach(l -> cli.out.println("    " + l)));
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

    private static Map<String, Object> json(AuditEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("at", e.at().toString());
        m.put("who", e.who());
        m.put("action", e.action());
        m.put("target", e.target());
        m.put("outcome", e.outcome());
        m.put("detail", e.detail().orElse(null));
        return m;
    }
}
