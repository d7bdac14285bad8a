package io.sluice.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.definition.ParsedPipeline;
import io.sluice.definition.PipelineParser;
import io.sluice.definition.PipelineValidator;
import io.sluice.problem.Problems;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class YamlTreeCacheTest {
    @TempDir
    Path dir;

    static Stream<Path> fixtures() throws IOException, URISyntaxException {
        Path root = Path.of(YamlTreeCacheTest.class.getResource("/pipelines").toURI());
        try (Stream<Path> kinds = Files.list(root)) {
            return kinds.flatMap(kind -> {
                try (Stream<Path> dirs = Files.list(kind)) {
                    return dirs.sorted().toList().stream();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void aPipelineReadFromItsKeptTreeIsTheSameAsOneReadFromItsText(Path fixture) {
        Path file = fixture.resolve("pipeline.yaml");
        ParsedPipeline uncached = new PipelineParser().parse(file, "pipeline.yaml");
        PipelineParser cached = new PipelineParser(YamlLimits.DEFAULT, Optional.of(cache()));

        ParsedPipeline first = cached.parse(file, "pipeline.yaml");
        ParsedPipeline second = cached.parse(file, "pipeline.yaml");

        for (ParsedPipeline p : java.util.List.of(first, second)) {
            assertThat(p.pipeline()).isEqualTo(uncached.pipeline());
            assertThat(p.problems()).isEqualTo(uncached.problems());
            assertThat(PipelineValidator.validate(p)).isEqualTo(PipelineValidator.validate(uncached));
        }
    }

    @Test
    void aTreeIsKeptForATextThatReadWithoutProblemsAndIsReadInsteadOfTheText() throws IOException {
        String text = "id: kept\ntasks:\n  - {id: a, run: \"true\"}\n";
        read(text);
        assertThat(files()).containsExactly(YamlTreeCache.keyOf(text));

        // the tree of another text, put under this text's name: what is read comes from the file
        YNode other = read("id: other\n").orElseThrow();
        cache().put(YamlTreeCache.keyOf(text), other);

        assertThat(read(text)).contains(other);
    }

    @Test
    void noTreeIsKeptForATextWithDuplicateKeysOrAliasesOrSyntaxErrors() throws IOException {
        read("id: a\nid: b\n");
        read("base: &b {run: x}\ncopy: *b\n");
        read("tasks: [unclosed\n");

        assertThat(files()).isEmpty();
    }

    @Test
    void aDamagedFileIsIgnoredAndReplaced() throws IOException {
        String text = "id: damaged\ntasks:\n  - {id: a, run: \"echo hi\"}\n";
        YNode tree = read(text).orElseThrow();
        Path kept = dir.resolve(YamlTreeCache.keyOf(text));
        for (byte[] damage : new byte[][] {new byte[0], "garbage".getBytes(), java.util.Arrays.copyOf(Files.readAllBytes(kept), 20)}) {
            Files.write(kept, damage);

            assertThat(read(text)).contains(tree);
            assertThat(Files.size(kept)).isGreaterThan(20);
        }
    }

    @Test
    void theOldestTreesAreDeletedOnceThereAreTooMany() throws IOException {
        for (int i = 0; i <= YamlTreeCache.MAX_FILES; i++) {
            read("id: p" + i + "\n");
        }

        assertThat(files()).hasSizeLessThanOrEqualTo(YamlTreeCache.MAX_FILES / 2 + 1)
                .contains(YamlTreeCache.keyOf("id: p" + YamlTreeCache.MAX_FILES + "\n"));
    }

    private YamlTreeCache cache() {
        return new YamlTreeCache(dir, YamlLimits.DEFAULT);
    }

    private Optional<YNode> read(String text) {
        return new YamlTreeReader(YamlLimits.DEFAULT, Optional.of(cache())).read(text, new Problems("pipeline.yaml"));
    }

    private java.util.List<String> files() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }
}
