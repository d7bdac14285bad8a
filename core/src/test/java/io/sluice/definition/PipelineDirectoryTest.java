package io.sluice.definition;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void theVersionDependsOnPathsAndContentsOnly() throws IOException {
        Path a = pipeline("a");
        Path b = pipeline("b");

        assertThat(PipelineDirectory.scan(a).version()).isEqualTo(PipelineDirectory.scan(b).version()).hasSize(64);

        Files.writeString(b.resolve("extract.sh"), "echo changed\n");
        assertThat(PipelineDirectory.scan(a).version()).isNotEqualTo(PipelineDirectory.scan(b).version());
    }

    @Test
    void theExecutableBitIsPartOfTheVersion() throws IOException {
        Path a = pipeline("a");
        String before = PipelineDirectory.scan(a).version();

        a.resolve("extract.sh").toFile().setExecutable(true);

        assertThat(PipelineDirectory.scan(a).version()).isNotEqualTo(before);
    }

    @Test
    void gitSluiceAndSwapFilesAreNotPartOfTheVersion() throws IOException {
        Path a = pipeline("a");
        String before = PipelineDirectory.scan(a).version();
        Files.createDirectories(a.resolve(".git"));
        Files.writeString(a.resolve(".git/HEAD"), "ref");
        Files.createDirectories(a.resolve(".sluice"));
        Files.writeString(a.resolve(".sluice/state"), "x");
        Files.writeString(a.resolve(".extract.sh.swp"), "swap");
        Files.writeString(a.resolve("extract.sh~"), "backup");

        assertThat(PipelineDirectory.scan(a).version()).isEqualTo(before);
    }

    @Test
    void symlinksNeverBringInContentFromOutsideThePipeline() throws IOException {
        Path a = pipeline("a");
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "outside");
        Files.createSymbolicLink(a.resolve("leak.txt"), secret);
        Files.createSymbolicLink(a.resolve("alias.sh"), a.resolve("extract.sh"));
        Files.createSymbolicLink(a.resolve("up"), tmp);

        PipelineDirectory dir = PipelineDirectory.scan(a);

        assertThat(dir.files()).extracting(PipelineDirectory.PipelineFile::path).containsExactly("alias.sh", "extract.sh", "pipeline.yaml");
        assertThat(dir.files().get(0).source()).isEqualTo(a.toRealPath().resolve("extract.sh"));
        assertThat(dir.skipped()).containsExactlyInAnyOrder(
                "leak.txt: symlink to outside the pipeline directory, left out",
                "up: symlink to outside the pipeline directory, left out");
    }

    private Path pipeline(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), "id: x\ntasks: [{id: a, run: ./extract.sh}]\n");
        Files.writeString(dir.resolve("extract.sh"), "echo hi\n");
        return dir;
    }
}
