package io.sluice.cli;

import io.sluice.pipeline.LoadedPipeline;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The pipeline of {@code sluice run DIR} read and validated on a thread of its own while the
 * command line is still being parsed, like {@link DatabaseAhead}: in a cold JVM, reading a
 * 200-task pipeline.yaml takes about as long as building the command line's model, and on two
 * cores the two overlap. The command takes it only for the directory it was started for; its
 * errors (no such directory, unreadable) surface there, as if the command had read it itself.
 * Both keep the YAML trees they read in the home (see {@link PipelinePaths#treesOf}).
 */
final class PipelineAhead {
    private static String directory;
    private static CompletableFuture<LoadedPipeline> loading;

    private PipelineAhead() {
    }

    static synchronized void start(String dir, Path home) {
        if (loading != null) {
            return;
        }
        CompletableFuture<LoadedPipeline> future = new CompletableFuture<>();
        directory = dir;
        loading = future;
        Thread.ofPlatform().daemon().name("sluice-read-pipeline").start(() -> {
            try {
                future.complete(PipelinePaths.load(dir, PipelinePaths.treesOf(home)));
                Trace.mark("pipeline read (ahead)");
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        });
    }

    /** The pipeline read ahead for {@code dir}, waiting for it, if one was started for exactly that argument. */
    static LoadedPipeline take(String dir, Path home) {
        CompletableFuture<LoadedPipeline> future;
        synchronized (PipelineAhead.class) {
            future = dir.equals(directory) ? loading : null;
            directory = null;
            loading = null;
        }
        return future == null ? PipelinePaths.load(dir, PipelinePaths.treesOf(home)) : DatabaseAhead.joined(future);
    }
}
