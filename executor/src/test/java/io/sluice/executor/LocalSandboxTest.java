package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.definition.PipelineDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSandboxTest {
    @TempDir
    Path tmp;

    @Test
    void theWorkspaceIsACopyWithItsOwnTmpAndNothingFromOutside() throws IOException {
        Path pipeline = tmp.resolve("p");
        Files.createDirectories(pipeline.resolve("bin"));
        Files.writeString(pipeline.resolve("pipeline.yaml"), "id: p\n");
        Files.writeString(pipeline.resolve("bin/run.sh"), "echo hi\n");
        Files.setPosixFilePermissions(pipeline.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(tmp.resolve("secret"), "outside");
        Files.createSymbolicLink(pipeline.resolve("leak"), tmp.resolve("secret"));

        LocalSandbox sandbox = LocalSandbox.create(tmp.resolve("ws"), PipelineDirectory.scan(pipeline));

        assertThat(sandbox.workspace().resolve("bin/run.sh")).hasContent("echo hi").isExecutable();
        assertThat(sandbox.workspace().resolve("leak")).doesNotExist();
        assertThat(sandbox.tmpDir()).isDirectory();
        assertThat(sandbox.envFile()).isEmptyFile();
    }

    @Test
    void destroyRemovesWhatATaskMadeReadOnly() throws IOException {
        Path pipeline = tmp.resolve("p");
        Files.createDirectories(pipeline);
        Files.writeString(pipeline.resolve("pipeline.yaml"), "id: p\n");
        LocalSandbox sandbox = LocalSandbox.create(tmp.resolve("ws"), PipelineDirectory.scan(pipeline));
        Path locked = sandbox.workspace().resolve("out/locked");
        Files.createDirectories(locked);
        Files.writeString(locked.resolve("data"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-x------"));

        sandbox.destroy();

        assertThat(sandbox.workspace()).doesNotExist();
    }
}
