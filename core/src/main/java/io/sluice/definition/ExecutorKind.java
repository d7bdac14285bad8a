package io.sluice.definition;

/** Where a run's tasks execute. */
public enum ExecutorKind {
    LOCAL,
    KUBERNETES;

    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
