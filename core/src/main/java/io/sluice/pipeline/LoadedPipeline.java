package io.sluice.pipeline;

import io.sluice.definition.ParsedPipeline;
import io.sluice.definition.Pipeline;
import io.sluice.definition.PipelineDirectory;
import io.sluice.playbook.Playbook;
import io.sluice.problem.Problem;
import java.util.List;
import java.util.Optional;

/**
 * A pipeline directory read and checked: its definition, playbook, files and version, and every
 * problem of pipeline.yaml and PLAYBOOK.md (syntax, DAG, coverage) in file order.
 */
public record LoadedPipeline(
        String shownAs,
        ParsedPipeline parsed,
        Optional<Playbook> playbook,
        Optional<String> pipelineYaml,
        Optional<String> playbookMd,
        PipelineDirectory files,
        String version,
        List<Problem> definitionProblems,
        List<Problem> playbookProblems) {

    public Optional<Pipeline> pipeline() {
        return parsed.pipeline();
    }

    /** pipeline.yaml has an error: the pipeline cannot run. */
    public boolean hasDefinitionErrors() {
        return definitionProblems.stream().anyMatch(Problem::isError);
    }

    /** PLAYBOOK.md is missing, broken or does not cover every failure: the pipeline cannot deploy. */
    public boolean hasPlaybookErrors() {
        return playbookProblems.stream().anyMatch(Problem::isError);
    }

    /** Every problem, in file, line and column order. */
    public List<Problem> allProblems() {
        return java.util.stream.Stream.concat(definitionProblems.stream(), playbookProblems.stream())
                .sorted(Problem.ORDER)
                .toList();
    }

    public boolean isValid() {
        return !hasDefinitionErrors() && !hasPlaybookErrors();
    }
}
