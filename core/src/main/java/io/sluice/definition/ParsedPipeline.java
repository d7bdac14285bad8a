package io.sluice.definition;

import io.sluice.problem.Problem;
import java.util.List;
import java.util.Optional;

/**
 * The result of reading a pipeline.yaml: the pipeline when the file was readable as one (even
 * with errors, so that later checks still run), where its parts are, and every problem found.
 */
public record ParsedPipeline(String file, Optional<Pipeline> pipeline, SourceMap sources, List<Problem> problems) {
    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }
}
