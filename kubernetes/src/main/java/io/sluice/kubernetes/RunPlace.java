package io.sluice.kubernetes;

import io.sluice.definition.Resources;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a run's namespace is made of: the image its tasks run in, the pipeline's files (shipped in a
 * ConfigMap and copied into each pod's workspace), the quota (what all its tasks request together)
 * and the secrets its tasks receive.
 */
public record RunPlace(String pipeline, String runId, String image, List<ShippedFile> files, Resources quota,
                       Map<String, String> secrets) {
    /** A ConfigMap holds at most 1 MiB; what does not fit belongs in the image. */
    public static final long MAX_FILES_BYTES = 900 * 1024;

    public RunPlace {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(image, "image");
        files = List.copyOf(files);
        Objects.requireNonNull(quota, "quota");
        secrets = Map.copyOf(secrets);
    }

    /** A file of the pipeline, by its path relative to the pipeline's directory. */
    public record ShippedFile(String path, byte[] content, boolean executable) {
    }

    long filesBytes() {
        return files.stream().mapToLong(f -> f.content().length + f.path().length()).sum();
    }
}
