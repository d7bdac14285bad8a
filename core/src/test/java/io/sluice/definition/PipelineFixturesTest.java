package io.sluice.definition;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.problem.Problem;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fixture folders: each {@code valid/*} pipeline must parse without problems; each
 * {@code invalid/*} pipeline must report exactly the lines of its expected.txt, in one pass.
 */
class PipelineFixturesTest {

    static Stream<Path> valid() throws IOException, URISyntaxException {
        return fixtures("valid");
    }

    static Stream<Path> invalid() throws IOException, URISyntaxException {
        return fixtures("invalid");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void aValidPipelineHasNoProblems(Path dir) {
        List<Problem> problems = problems(dir);

        assertThat(problems).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void anInvalidPipelineReportsEveryExpectedProblemWithItsPosition(Path dir) throws IOException {
        List<String> expected = Files.readAllLines(dir.resolve("expected.txt"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).toList();

        List<String> actual = problems(dir).stream().map(Problem::render).toList();

        assertThat(actual).containsExactlyElementsOf(expected);
    }

    private static List<Problem> problems(Path dir) {
        ParsedPipeline parsed = new PipelineParser().parse(dir.resolve("pipeline.yaml"), "pipeline.yaml");
        List<Problem> all = new ArrayList<>(parsed.problems());
        all.addAll(PipelineValidator.validate(parsed));
        all.sort(java.util.Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
        return all;
    }

    private static Stream<Path> fixtures(String kind) throws IOException, URISyntaxException {
        Path root = Path.of(PipelineFixturesTest.class.getResource("/pipelines/" + kind).toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.sorted().toList().stream();
        }
    }
}
