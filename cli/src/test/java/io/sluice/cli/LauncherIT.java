package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/sluice as a newcomer runs it: a real process, a JDK found without JAVA_HOME, the README's example. */
class LauncherIT {
    @TempDir
    Path home;

    private static Path repo() {
        return CliRunner.examples().getParent();
    }

    private record Result(int exit, String out, String err) {
    }

    private Result sluice(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(concat(repo().resolve("bin/sluice").toString(), args)).directory(repo().toFile());
        pb.environment().put("SLUICE_HOME", home.toString());
        pb.environment().putAll(env);
        Path out = Files.createTempFile(home.getParent(), "out", ".txt");
        Path err = Files.createTempFile(home.getParent(), "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static List<String> concat(String first, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }

    @Test
    void theReadmeExampleRunsEndToEndEvenWhenJavaHomeNamesAnOldJdk() throws Exception {
        Result r = sluice(Map.of("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64"), "run", "examples/daily_sales");

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("report", "succeeded");
    }

    @Test
    void errorsAreOneLineWithoutAStackTrace() throws Exception {
        Result r = sluice(Map.of(), "why", "doesnotexist");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("sluice: no run 'doesnotexist'").doesNotContain("Exception");
    }

    @Test
    void aBrokenYamlIsReportedAndExitsOne() throws Exception {
        Path dir = home.getParent().resolve("broken");
        Files.createDirectories(dir);
        Files.write(dir.resolve("pipeline.yaml"), new byte[] {'i', 'd', ':', ' ', (byte) 0xff, (byte) 0xfe, 0, 1, 2});

        Result r = sluice(Map.of(), "validate", dir.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("pipeline.yaml:1:5: not UTF-8 text");
        assertThat(r.err()).doesNotContain("Exception");
    }
}
