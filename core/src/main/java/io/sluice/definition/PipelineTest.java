package io.sluice.definition;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One entry of {@code tests}: a run of the pipeline (or of some of its tasks) in a fresh sandbox, with expectations. */
public record PipelineTest(
        String name,
        Optional<String> date,
        Map<String, String> env,
        Optional<List<String>> tasks,
        TestExpectation expect) {
}
