package io.sluice.cli;

import io.sluice.executor.LocalSandbox;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Hidden: exercises the common commands once in a scratch home, so that bin/sluice can record the
 * classes they load in a class-data (CDS/AOT) archive. Later starts map that archive instead of
 * loading and verifying a few thousand classes again, which is most of a short command's time.
 */
@Command(name = "_train", hidden = true)
final class TrainCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        Path scratch = Files.createTempDirectory("sluice-train");
        try {
            Path pipeline = scratch.resolve("training");
            String home = scratch.resolve("home").toString();
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            Sluice.execute(new String[] {"init", pipeline.toString()}, sink, sink);
            Sluice.execute(new String[] {"validate", "--json", pipeline.toString()}, sink, sink);
            Sluice.execute(new String[] {"--home", home, "run", pipeline.toString()}, sink, sink);
            Sluice.execute(new String[] {"--home", home, "run", "--json", pipeline.toString(), "--date", "2024-01-01"}, sink, sink);
            // a run of many short tasks: the per-task code is hot in the recorded profiles, so the
            // JIT compiles it from a run's first tasks on instead of after a few hundred
            Path many = scratch.resolve("many");
            Files.createDirectories(many);
            StringBuilder yaml = new StringBuilder("id: training_many\ntasks:\n");
            for (int i = 0; i < 300; i++) {
                yaml.append("  - {id: t").append(i).append(", run: \"true\"")
                        .append(i % 3 == 0 || i == 0 ? "" : ", needs: [t" + (i - 1) + "]").append("}\n");
            }
            Files.writeString(many.resolve("pipeline.yaml"), yaml);
            Files.writeString(many.resolve("PLAYBOOK.md"), """
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
}
