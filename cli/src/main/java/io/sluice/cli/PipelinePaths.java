package io.sluice.cli;

import io.sluice.pipeline.LoadedPipeline;
import io.sluice.pipeline.PipelineLoader;
import io.sluice.yaml.YamlLimits;
import io.sluice.yaml.YamlTreeCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Turns a PATH argument into a loaded pipeline, or a one-line error with exit code 2. */
final class PipelinePaths {
    private PipelinePaths() {
    }

    /** The arguments without repeats of one directory (examples/x and ./examples/x/ are the same). */
    static java.util.List<String> distinct(java.util.List<String> arguments) {
        java.util.Map<Path, String> seen = new java.util.LinkedHashMap<>();
        for (String a : arguments) {
            Path key;
            try {
                key = PipelineLoader.directoryOf(Path.of(a)).toRealPath();
            } catch (IOException e) {
                key = Path.of(a).toAbsolutePath().normalize();
            }
            seen.putIfAbsent(key, a);
        }
        return java.util.List.copyOf(seen.values());
    }

    static LoadedPipeline load(String argument) {
        return load(argument, Optional.empty());
    }

    /**
     * Where a home keeps the YAML trees of the pipelines run on it, so that a run of an unchanged
     * pipeline.yaml skips the YAML scanner. None for a home that does not exist yet: the database
     * creates it, private to its owner, and a cache must not create it first.
     */
    static Optional<YamlTreeCache> treesOf(Path home) {
        return Files.isDirectory(home)
                ? Optional.of(new YamlTreeCache(home.resolve("cache").resolve("yaml"), YamlLimits.DEFAULT))
                : Optional.empty();
    }

    static LoadedPipeline load(String argument, Optional<YamlTreeCache> trees) {
        Path path = Path.of(argument);
        if (!Files.exists(path)) {
            throw UserError.usage(argument + ": no such file or directory");
        }
        if (!PipelineLoader.isPipelinePath(path)) {
            throw UserError.usage(argument + ": not a pipeline (a directory with a " + PipelineLoader.DEFINITION + ")");
        }
        Path dir = PipelineLoader.directoryOf(path);
        String shownAs = argument.endsWith(PipelineLoader.DEFINITION)
                ? argument.substring(0, argument.length() - PipelineLoader.DEFINITION.length())
                : argument;
        try {
            return PipelineLoader.load(dir, shownAs, trees);
        } catch (IOException e) {
            throw UserError.usage(argument + ": cannot read: " + e.getMessage());
        }
    }
}
