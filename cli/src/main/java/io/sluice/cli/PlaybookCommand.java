package io.sluice.cli;

import io.sluice.server.RunJson;
import io.sluice.definition.Ids;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.pipeline.PipelineLoader;
import io.sluice.store.PlaybookGap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice playbook PIPELINE|PATH [--gaps]}: the playbook, or the failures it did not cover. */
final class PlaybookCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String target;

    boolean gaps;

    boolean json;

    PlaybookCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "playbook", "Print a pipeline's playbook (of its active version, or of a directory),",
                        "or with --gaps every failure seen in tests or runs that no entry, or only a condition-free one, matched.")
                .parameter(0, "PIPELINE|PATH", "1", "", v -> target = v)
                .flag("--gaps", "List the failures the playbook did not cover.", v -> gaps = v)
                .flag("--json", "Print as JSON.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        try (Cli cli = new Cli(root, spec)) {
            Path path = Path.of(target);
            boolean isPath = PipelineLoader.isPipelinePath(path);
            String id;
            String text;
            if (isPath) {
                LoadedPipeline loaded = PipelinePaths.load(target);
                id = loaded.pipeline().map(p -> p.id()).orElseThrow(() -> UserError.usage(target + ": pipeline.yaml is unreadable"));
                text = loaded.playbookMd().orElse(null);
            } else if (Files.exists(path) || !Ids.isValid(target)) {
                throw UserError.usage(target + ": not a pipeline directory nor a pipeline id");
            } else {
                id = target;
                if (!cli.gate().knows(id)) {
                    throw UserError.usage("no pipeline '" + id + "' (not deployed, never tested or run here)");
                }
                text = cli.gate().activeVersion(id).flatMap(v -> cli.store().definition(v)).flatMap(d -> d.playbookMd()).orElse(null);
            }
            if (gaps) {
                return printGaps(cli, id);
            }
            if (text == null) {
                throw new UserError(UserError.BAD, isPath ? target + " has no PLAYBOOK.md" : id + " has no deployed version with a playbook");
            }
            if (json) {
                cli.printJson(RunJson.object("pipeline", id, "playbook", text));
            } else {
                cli.out.print(text.endsWith("\n") ? text : text + "\n");
            }
            return 0;
        }
    }

    private int printGaps(Cli cli, String id) {
        List<PlaybookGap> found = cli.gate().gaps(id);
        if (json) {
            cli.printJson(RunJson.object("pipeline", id, "gaps", found.stream().map(PlaybookCommand::json).toList()));
            return 0;
        }
        if (found.isEmpty()) {
            cli.out.println(id + ": no gaps: every failure seen so far matched a specific playbook entry");
            return 0;
        }
        cli.out.println(id + ": " + ValidateCommand.plural(found.size(), "failure") + " the playbook did not cover:");
        for (PlaybookGap g : found) {
            cli.out.println();
            cli.out.println(VersionsCommand.WHEN.format(g.seenAt()) + "  " + g.source() + " run " + g.runId() + "  "
                    + g.task().orElse(g.kind().replace("_failed", "")) + " " + g.kind().replace('_', ' ')
                    + " (attempt " + g.attempt() + g.exitCode().map(c -> ", exit " + c).orElse("") + ")  version "
                    + g.version().substring(0, 12));
            cli.out.println("  matched: " + g.entry().map(e -> "only '" + e + "', which has no conditions").orElse("no entry"));
            g.excerpt().lines().forEach(l -> cli.out.println("    | " + l));
        }
        return 0;
    }

    private static Map<String, Object> json(PlaybookGap g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seen_at", g.seenAt().toString());
        m.put("source", g.source());
        m.put("run", g.runId());
        m.put("version", g.version());
        m.put("task", g.task().orElse(null));
        m.put("kind", g.kind());
        m.put("attempt", g.attempt());
        m.put("exit_code", g.exitCode().orElse(null));
        m.put("entry", g.entry().orElse(null));
        m.put("excerpt", g.excerpt());
        return m;
    }
}
