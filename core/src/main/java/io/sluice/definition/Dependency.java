package io.sluice.definition;

/** A {@code depends_on} entry: this pipeline's runs wait for the named pipeline's runs. */
public record Dependency(String pipeline) {
}
