package io.sluice.cli;

import io.sluice.store.VersionRecord;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice rollback PIPELINE VERSION}: make an earlier version that passed the gate active again. */
final class RollbackCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String pipeline;

    String version;

    RollbackCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "rollback", "Activate an earlier version of a pipeline; only a version that passed the gate.")
                .parameter(0, "PIPELINE", "1", "", v -> pipeline = v)
                .parameter(1, "VERSION", "1", "A version, or a unique prefix of it (sluice versions lists them).", v -> version = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        try (Cli cli = new Cli(root, spec)) {
            if (cli.server().isPresent()) {
                if (!version.matches("[0-9a-fA-F]{4,64}") || !io.sluice.definition.Ids.isValid(pipeline)) {
                    throw UserError.usage("give a pipeline id and 4 or more hex digits of a version (sluice versions PIPELINE lists them)");
                }
                var answer = cli.server().get().post("/api/v1/pipelines/" + pipeline + "/rollback", java.util.Map.of("version", version.toLowerCase()));
                cli.out.println(pipeline + ": version " + StatusCommand.abbreviate(answer.path("active_version").asString()) + " is active");
                return 0;
            }
            List<VersionRecord> versions = cli.gate().versions(pipeline);
            if (versions.isEmpty()) {
                throw UserError.usage("no versions of '" + pipeline + "' (sluice deploy PATH tests and stores one)");
            }
            if (!version.matches("[0-9a-fA-F]{4,64}")) {
                throw UserError.usage("'" + version + "' is not a version: give 4 or more of its hex digits (sluice versions "
                        + pipeline + " lists them)");
            }
            List<VersionRecord> matches = versions.stream().filter(v -> v.version().startsWith(version.toLowerCase())).toList();
            if (matches.isEmpty()) {
                throw UserError.usage(pipeline + " has no version " + version + " (sluice versions " + pipeline + " lists them)");
            }
            if (matches.size() > 1) {
                throw UserError.usage("version " + version + " is ambiguous; give more digits");
            }
            VersionRecord target = matches.get(0);
            String short12 = target.version().substring(0, 12);
            if (target.active()) {
                cli.out.println(pipeline + ": version " + short12 + " is already active; nothing to do");
                cli.gate().audit(Cli.who(), "rollback", pipeline + "@" + short12, "unchanged (already active)", null);
                return 0;
            }
            if (target.greenAt().isEmpty() || target.storedPath().isEmpty()) {
                String why = target.greenAt().isEmpty() ? "it never passed the gate" : "it was never deployed";
                cli.gate().audit(Cli.who(), "rollback", pipeline + "@" + short12, "refused", why);
                cli.err.println("sluice: refused: version " + short12 + " of " + pipeline + " cannot be activated: " + why);
                return UserError.BAD;
            }
            Optional<String> current = cli.gate().activeVersion(pipeline);
            if (!cli.gate().activate(pipeline, target.version(), current, Cli.who(), "rollback")) {
                throw new UserError(UserError.BAD, "another deploy or rollback of " + pipeline + " happened meanwhile; try again");
            }
            cli.gate().audit(Cli.who(), "rollback", pipeline + "@" + short12, "activated",
                    current.map(c -> "was " + c.substring(0, 12)).orElse(null));
            cli.out.println(pipeline + ": version " + short12 + " is active again" + current.map(c -> " (was " + c.substring(0, 12) + ")").orElse(""));
            return 0;
        }
    }
}
