package io.sluice.cli;

import io.sluice.definition.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice init DIR [--id ID]}: a starter pipeline that validates, runs and passes its test as it is. */
final class InitCommand implements Callable<Integer> {
    /** Template resource -> path in the new pipeline. */
    private static final Map<String, String> FILES = Map.of(
            "pipeline.yaml", "pipeline.yaml",
            "PLAYBOOK.md", "PLAYBOOK.md",
            "extract.sh", "extract.sh",
            "report.sh", "report.sh",
            "expected_report.txt", "tests/expected/report.txt");

    CommandSpec spec;

    String dir;

    String id;
    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "init", "Create a starter pipeline in DIR.")
                .parameter(0, "DIR", "1", "", v -> dir = v)
                .option("--id", "ID", "Pipeline id (default: from the directory name).", v -> id = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() throws IOException {
        Path target = Path.of(dir);
        String pipelineId = id != null ? id : idFrom(target);
        if (!Ids.isValid(pipelineId)) {
            throw UserError.usage("--id '" + pipelineId + "': use " + Ids.RULE);
        }
        if (Files.exists(target)) {
            if (!Files.isDirectory(target)) {
                throw UserError.usage(dir + " exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw UserError.usage(dir + " exists and is not empty; choose a new directory");
                }
            }
        }
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            Path file = target.resolve(f.getValue());
            Files.createDirectories(file.getParent());
            Files.writeString(file, template(f.getKey()).replace("__ID__", pipelineId), StandardCharsets.UTF_8);
            if (f.getKey().endsWith(".sh")) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        var out = spec.commandLine().getOut();
        out.println("created pipeline " + pipelineId + " in " + dir);
        out.println("  sluice validate " + dir);
        out.println("  sluice run " + dir);
        return 0;
    }

    static String idFrom(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        String base = name == null ? "pipeline" : name.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
            base = "p_" + base;
        }
        return base.length() > 63 ? base.substring(0, 63) : base;
    }

    private static String template(String name) throws IOException {
        try (InputStream in = InitCommand.class.getResourceAsStream("init/" + name)) {
            if (in == null) {
                throw new IOException("missing template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
