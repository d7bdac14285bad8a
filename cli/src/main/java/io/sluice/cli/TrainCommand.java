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
