package io.sluice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs the sluice command in-process against one home, capturing stdout, stderr and the exit code. */
final class CliRunner {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Path home;

    CliRunner(Path home) {
        this.home = home;
    }

    record Result(int exit, String out, String err) {
        JsonNode json() {
            return JSON.readTree(out);
        }
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--home", home.toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Sluice.execute(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Result(exit, out.toString(), err.toString());
    }

    /** The repository's examples directory, found from the module's working directory. */
    static Path examples() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !dir.resolve("examples").toFile().isDirectory()) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no examples directory above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("examples");
    }
}
