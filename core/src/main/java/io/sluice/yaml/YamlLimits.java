package io.sluice.yaml;

/** Bounds that keep hostile YAML (alias bombs, deep nesting, huge files) cheap to refuse. */
public record YamlLimits(long maxBytes, int maxDepth, int maxNodes, int maxAliases) {

    /** Generous for real pipelines (a 5,000-task DAG is about 300 KB), tiny for attacks. */
    public static final YamlLimits DEFAULT = new YamlLimits(4L * 1024 * 1024, 64, 500_000, 100);
}
