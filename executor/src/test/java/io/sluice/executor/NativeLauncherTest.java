package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;

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

    @TempDir
    Path work;

    private TaskProcess run(LocalExecutor executor, String command) throws IOException {
        return executor.start(new ProcessSpec(command, work, Map.of("PATH", System.getenv("PATH")), work.resolve("t.log"),
                work.resolve("t.exit"), "test-" + work.getFileName() + "/t/1", false));
    }

    @Test
    void anExitSluiceHasRecordedLeavesNoExitFile() throws IOException {
        try (LocalExecutor executor = new LocalExecutor(Duration.ofSeconds(1), launcher())) {
            TaskProcess p = run(executor, "exit 3");
            assertThat(p.exit().join()).isEqualTo(3);
            executor.exitRecorded(p);

            // the launcher writes unacknowledged ends after two seconds: this one it must not
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(work.resolve("t.exit")));
        }
    }

    @Test
    void anExitNobodyRecordedIsWrittenOnceSluiceIsGone() throws IOException {
        LocalExecutor executor = new LocalExecutor(Duration.ofSeconds(1), launcher());
        TaskProcess p = run(executor, "sleep 1; exit 4");
        executor.close(); // as if Sluice died: the launcher's stdin ends

        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(Files.readString(work.resolve("t.exit")).trim()).isEqualTo("4"));
        assertThat(p.pid()).isPositive();
    }

    @Test
    void theLauncherStartsWithoutTheJvmsOpenFilesSoTasksSeeOnlyTheirOwn() throws IOException {
        assertThat(NativeSpawn.available()).as("the spawn library (built from src/main/c when cc is installed)").isTrue();
        Path held = work.resolve("held-open-by-the-jvm");
        try (var open = Files.newOutputStream(held);
             LocalExecutor executor = new LocalExecutor(Duration.ofSeconds(1), launcher())) {
            // the task names every descriptor it has beyond 0-2 (stat only: listing them would open one)
            TaskProcess p = run(executor, "n=3; while [ $n -lt 1024 ]; do [ -e /proc/$$/fd/$n ] && readlink /proc/$$/fd/$n; n=$((n + 1)); done; echo checked");
            assertThat(p.exit().join()).isZero();
            assertThat(Files.readString(work.resolve("t.log"))).isEqualTo("checked\n");
        }
    }
}
