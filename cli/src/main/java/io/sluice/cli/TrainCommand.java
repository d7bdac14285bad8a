package io.sluice.cli;

import io.sluice.executor.LocalSandbox;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Hidden: exercises the common commands once in a scratch home, so that bin/sluice can record the
 * classes they load in a class-data (CDS/AOT) archive. Later starts map that archive instead of
 * loading and verifying a few thousand classes again, which is most of a short command's time.
 * {@code _train run HOME} trains the archive of {@code sluice run DIR} alone, on a home that an
 * earlier process created: an archive holds what its training loaded, and a run of a pipeline
 * directory needs neither the migrations nor JDBI nor Jackson's data binding, whose 1,500
 * classes would be mapped on every start.
 */
final class TrainCommand implements Callable<Integer> {
    String only;

    Path readyHome;
    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.bare(this, "_train", "")
                .hidden()
                .parameter(0, "<only>", "0..1", "", v -> only = v)
                .parameter(1, "<readyHome>", "0..1", "", v -> readyHome = v == null ? null : Path.of(v));
        return syntax;
    }

    @Override
    public Integer call() throws IOException {
        Path scratch = Files.createTempDirectory("sluice-train");
        try {
            Path pipeline = scratch.resolve("training");
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            Sluice.execute(new String[] {"init", pipeline.toString()}, sink, sink);
            Path many = manyTasks(scratch.resolve("many"));
            if ("run".equals(only) && readyHome != null) {
                String home = readyHome.toString();
                Sluice.execute(new String[] {"--home", home, "run", pipeline.toString()}, sink, sink);
                // read ahead as `sluice run DIR` does from main (see PipelineAhead), then again
                // once its YAML tree is in the home's cache, as in most runs
                for (int i = 0; i < 2; i++) {
                    PipelineAhead.start(many.toString(), readyHome);
                    Sluice.execute(new String[] {"--home", home, "run", many.toString()}, sink, sink);
                }
                return 0;
            }
            String home = scratch.resolve("home").toString();
            Sluice.execute(new String[] {"validate", "--json", pipeline.toString()}, sink, sink);
            Sluice.execute(new String[] {"--home", home, "run", pipeline.toString()}, sink, sink);
            Sluice.execute(new String[] {"--home", home, "run", "--json", pipeline.toString(), "--date", "2024-01-01"}, sink, sink);
            Sluice.execute(new String[] {"--home", home, "run", many.toString()}, sink, sink);
            Sluice.execute(new String[] {"--home", home, "status", "--json"}, sink, sink);
            Sluice.execute(new String[] {"--home", home, "status"}, sink, sink);
            Sluice.execute(new String[] {"--home", home, "why", "nosuchrun"}, sink, sink);
            Sluice.execute(new String[] {"--help"}, sink, sink);
            return 0;
        } finally {
            LocalSandbox.deleteTree(scratch);
        }
    }

    /**
     * A pipeline of many short tasks: its run makes the per-task code hot in the recorded
     * profiles, so the JIT compiles it from a run's first tasks on instead of after a few hundred.
     */
    private static Path manyTasks(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder yaml = new StringBuilder("id: training_many\ntasks:\n");
        for (int i = 0; i < 300; i++) {
            yaml.append("  - {id: t").append(i).append(", run: \"true\"")
                    .append(i % 3 == 0 ? "" : ", needs: [t" + (i - 1) + "]").append("}\n");
        }
        Files.writeString(dir.resolve("pipeline.yaml"), yaml);
        Files.writeString(dir.resolve("PLAYBOOK.md"), """
                # training

                ## A task failed
                match: task=* kind=failed

                ### Diagnose
                1. `sluice why RUN`.

                ### Fix
                1. Run it again.

                ## A task timed out
                match: task=* kind=timed_out

                ### Diagnose
                1. `sluice status --run RUN`.

                ### Fix
                1. Run it again.
                """);
        return dir;
    }
}
