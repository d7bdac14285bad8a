package io.sluice.cli;

import io.sluice.store.TestSession;
import io.sluice.store.VersionRecord;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sluice versions PIPELINE}: the versions the gate knows, newest first, with their tests. */
@Command(name = "versions", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List a pipeline's versions: which is active, when each was deployed, its test results.")
final class VersionsCommand implements Callable<Integer> {
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @ParentCommand
    Sluice root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PIPELINE")
    String pipeline;

    @Option(names = "--json", description = "Print {\"versions\": [...]} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (Cli cli = new Cli(root, spec)) {
            List<VersionRecord> versions = cli.gate().versions(pipeline);
            if (versions.isEmpty()) {
                throw UserError.usage("no versions of '" + pipeline + "' (sluice deploy PATH tests and stores one)");
            }
            if (json) {
                cli.printJson(Map.of("versions", versions.stream().map(v -> json(cli, v)).toList()));
                return 0;
            }
            cli.out.printf("%-12s  %-6s  %-19s  %s%n", "VERSION", "ACTIVE", "DEPLOYED", "TESTS");
            for (VersionRecord v : versions) {
                Optional<Instant> deployed = deployedAt(cli, v);
                cli.out.printf("%-12s  %-6s  %-19s  %s%n", v.version().substring(0, 12), v.active() ? "yes" : "",
                        deployed.map(WHEN::format).orElse("not deployed"), tests(v.tests()));
            }
            return 0;
        }
    }

    private Optional<Instant> deployedAt(Cli cli, VersionRecord v) {
        return cli.gate().lastActivation(pipeline, v.version()).or(v::storedAt);
    }

    static String tests(Optional<TestSession> session) {
        if (session.isEmpty()) {
            return "never tested";
        }
        TestSession s = session.get();
        long passed = s.outcomes().stream().filter(o -> o.passed()).count();
        return passed + "/" + s.outcomes().size() + " passed, " + WHEN.format(s.endedAt()) + " by " + s.who() + " (" + s.reason() + ")";
    }

    private Map<String, Object> json(Cli cli, VersionRecord v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("active", v.active());
        m.put("deployed_at", deployedAt(cli, v).map(Instant::toString).orElse(null));
        m.put("green", v.greenAt().isPresent());
        m.put("tested_at", v.tests().map(t -> t.endedAt().toString()).orElse(null));
        m.put("tested_by", v.tests().map(TestSession::who).orElse(null));
        m.put("tests", v.tests().map(t -> t.outcomes().stream().map(o -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", o.test());
            r.put("passed", o.passed());
            r.put("duration_ms", o.durationMillis());
            r.put("problems", o.problems());
            return r;
        }).toList()).orElse(List.of()));
        return m;
    }
}
