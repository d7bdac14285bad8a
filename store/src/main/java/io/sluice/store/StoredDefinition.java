package io.sluice.store;

import java.util.Optional;

/** The pipeline.yaml and PLAYBOOK.md texts of a version, kept so that later commands can explain a run. */
public record StoredDefinition(String version, String pipeline, String pipelineYaml, Optional<String> playbookMd) {
}
