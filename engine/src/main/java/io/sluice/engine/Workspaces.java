package io.sluice.engine;

import io.sluice.executor.LocalSandbox;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds workspaces whose run has ended (a crash between a run's end and its cleanup) and removes them. */
public final class Workspaces {
    private Workspaces() {
    }

    public static int removeLeftovers(RunStore store, SluiceHome home) {
        Path root = home.workspaces();
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                Optional<RunRecord> run = store.findRun(dir.getFileName().toString());
                if (run.isEmpty() || run.get().state().isTerminal()) {
                    LocalSandbox.deleteTree(dir);
                    removed++;
                }
            }
        } catch (IOException e) {
            // best effort: sluice cleanup reports what is left
        }
        return removed;
    }
}
