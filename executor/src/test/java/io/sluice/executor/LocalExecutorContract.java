package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every launcher must do; run with the native, the Perl and the shell launcher. */
abstract class LocalExecutorContract {
    abstract ProcessLauncher launcher();

    @TempDir
    Path dir;

    private final LocalExecutor executor = new LocalExecutor(Duration.ofSeconds(1), launcher());

    @AfterEach
    void close() {
        ProcessSweeper.sweepAll("test-" + dir.getFileName());
        executor.close();
    }

    private TaskProcess start(String command) throws IOException {
        return executor.start(new ProcessSpec(command, dir, Map.of("PATH", System.getenv("PATH")), dir.resolve("task.log"),
                dir.resolve("task.exit"), "test-" + dir.getFileName() + "/task/1", false));
    }

    private static int exitOf(TaskProcess p) {
        return p.exit().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    @Test
    void theExitStatusIsReturnedAndWrittenNextToTheLog() throws IOException {
        TaskProcess p = start("echo out; echo err >&2; exit 7");

        assertThat(exitOf(p)).isEqualTo(7);
        // the native launcher tells Sluice first and writes the file right after
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(Files.readString(dir.resolve("task.exit")).trim()).isEqualTo("7"));
        assertThat(Files.readAllLines(dir.resolve("task.log"))).containsExactly("out", "err");
    }

    @Test
    void aTaskReadsNothingFromStdinAndRunsInItsOwnProcessGroup() throws IOException {
        TaskProcess p = start("cat; echo \"group $(cut -d' ' -f5 /proc/$$/stat) session $(cut -d' ' -f6 /proc/$$/stat)\"");

        assertThat(exitOf(p)).isZero();
        String line = Files.readString(dir.resolve("task.log")).trim();
        assertThat(line).isEqualTo("group " + p.pid() + " session " + p.pid());
    }

    @Test
    void terminateKillsChildrenThatIgnoreSigterm() throws IOException {
        TaskProcess p = start("sh -c 'trap \"\" TERM; echo $$ > child.pid; sleep 1000' & sleep 1000");
        await().until(() -> Files.exists(dir.resolve("child.pid")) && !Files.readString(dir.resolve("child.pid")).isBlank());
        long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).trim());

        executor.terminate(p);

        TaskProcess.Gone gone = p.gone().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(gone.swept()).extracting(SweptProcess::pid).contains(child);
        await().until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void processesThatEscapedTheGroupAreKilledWhenTheCommandEnds() throws IOException {
        TaskProcess p = start("setsid sleep 1001 & echo $! > escaped.pid; nohup sleep 1002 >/dev/null 2>&1 & echo $! > nohup.pid");

        List<SweptProcess> swept = p.gone().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join().swept();

        long escaped = Long.parseLong(Files.readString(dir.resolve("escaped.pid")).trim());
        long nohup = Long.parseLong(Files.readString(dir.resolve("nohup.pid")).trim());
        assertThat(swept).extracting(SweptProcess::pid).contains(escaped, nohup);
        await().until(() -> ProcessHandle.of(escaped).map(h -> !h.isAlive()).orElse(true)
                && ProcessHandle.of(nohup).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void theSweepFindsOnlyItsOwnMarker() throws IOException {
        Path pidFile = dir.resolve("mine.pid");
        // a process of this marker that lives on, started outside any command's lifetime
        ProcessBuilder other = new ProcessBuilder("sh", "-c", "sleep 1003 & echo $! > " + pidFile);
        other.environment().put(ProcessSweeper.MARKER, "test-" + dir.getFileName() + "/other/1");
        try {
            other.start().waitFor();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        long mine = Long.parseLong(Files.readString(pidFile).trim());

        assertThat(ProcessSweeper.sweepAll("some-other-run/")).isEmpty();
        assertThat(ProcessHandle.of(mine).map(ProcessHandle::isAlive)).hasValue(true);

        assertThat(ProcessSweeper.sweepAll("test-" + dir.getFileName() + "/")).extracting(SweptProcess::pid).containsExactly(mine);
    }

    @Test
    void commandTextIsRunByShAndSeesNoPositionalParameters() throws IOException {
        TaskProcess p = start("set -u; echo \"args=$# dollar0=${0##*/}\"; for w in a 'b c'; do echo \"$w\"; done; exit 3");

        assertThat(exitOf(p)).isEqualTo(3);
        assertThat(Files.readAllLines(dir.resolve("task.log"))).containsExactly("args=0 dollar0=" + (this instanceof ShellLauncherTest ? "sluice-task" : "sh"), "a", "b c");
    }

    @Test
    void aCommandThatCannotStartFailsInsteadOfRunningElsewhere() {
        ProcessSpec spec = new ProcessSpec("touch here", dir.resolve("missing"), Map.of(), dir.resolve("task.log"),
                dir.resolve("task.exit"), "test-" + dir.getFileName() + "/task/1", false);
        try {
            assertThat(exitOf(executor.start(spec))).isNotZero();
        } catch (IOException refused) {
            // the shell launcher refuses at once; either way nothing ran
        }
        assertThat(dir.resolve("here")).doesNotExist();
    }

    @Test
    void pidWindowsCountAroundTheWrap() {
        assertThat(ProcessSweeper.inWindow(105, 100, 110)).isTrue();
        assertThat(ProcessSweeper.inWindow(100, 100, 110)).isFalse();
        assertThat(ProcessSweeper.inWindow(111, 100, 110)).isFalse();
        assertThat(ProcessSweeper.inWindow(32000, 31000, 50)).isTrue();
        assertThat(ProcessSweeper.inWindow(20, 31000, 50)).isTrue();
        assertThat(ProcessSweeper.inWindow(500, 31000, 50)).isFalse();
    }
}
