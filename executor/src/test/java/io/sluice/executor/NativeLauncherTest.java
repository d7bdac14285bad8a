package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The native launcher, which the build compiles wherever there is a C compiler (CI has one). */
class NativeLauncherTest extends LocalExecutorContract {
    @Override
    ProcessLauncher launcher() {
        Path binary = NativeLauncher.find().orElse(null);
        assertThat(binary).as("the native launcher (built from src/main/c when cc is installed)").isNotNull();
        try {
            return LauncherProcess.nativeAt(binary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aLauncherInsideAJarIsCopiedOnceIntoTheCacheAndRuns() throws IOException {
        byte[] program = Files.readAllBytes(NativeLauncher.find().orElseThrow());
        Path cache = Files.createTempDirectory("sluice-cache");
        try {
            Path first = NativeLauncher.installed(program, cache.resolve("sluice"));
            long modified = Files.getLastModifiedTime(first).toMillis();
            Path again = NativeLauncher.installed(program, cache.resolve("sluice"));

            assertThat(again).isEqualTo(first);
            assertThat(Files.getLastModifiedTime(again).toMillis()).isEqualTo(modified);
            assertThat(Files.getPosixFilePermissions(cache.resolve("sluice"))).hasSize(3); // rwx for the owner only
            try (LauncherProcess launcher = LauncherProcess.nativeAt(first)) {
                assertThat(launcher.orphans()).isEmpty();
            }
        } finally {
            try (var files = Files.walk(cache)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
