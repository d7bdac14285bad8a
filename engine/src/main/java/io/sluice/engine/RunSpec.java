package io.sluice.engine;

import io.sluice.definition.Pipeline;
import io.sluice.definition.PipelineDirectory;
import io.sluice.definition.Resources;
import io.sluice.playbook.Playbook;
import io.sluice.schedule.Interval;
import io.sluice.store.RunKind;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything needed to create and drive one run: the definition and its files, which version they
 * are, the interval, parameters, and (for tests) a subset of tasks and extra environment.
 */
public record RunSpec(
        Pipeline pipeline,
        PipelineDirectory files,
        String version,
        String pipelineYaml,
        Optional<String> playbookMd,
        Playbook playbook,
        RunKind kind,
        Optional<Path> sourcePath,
        Interval interval,
        String logicalDate,
        Map<String, String> params,
        Optional<Set<String>> onlyTasks,
        Map<String, String> extraEnv,
        Resources capacity) {
}
