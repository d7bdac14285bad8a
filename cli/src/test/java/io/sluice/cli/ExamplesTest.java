package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The examples are the first thing a newcomer runs: each must validate cleanly and run green as it is. */
class ExamplesTest {
    @TempDir
    Path home;

    @ParameterizedTest
    @ValueSource(strings = {"daily_sales", "disk_watch", "ephemeral_env", "flaky_api"})
    void anExampleValidatesWithoutWarningsAndRunsGreen(String name) {
        CliRunner sluice = new CliRunner(home);
        String dir = CliRunner.examples().resolve(name).toString();

        CliRunner.Result validate = sluice.run("validate", dir);
        assertThat(validate.exit()).as(validate.out()).isZero();
        assertThat(validate.out()).doesNotContain("warning");

        CliRunner.Result run = sluice.run("run", dir);
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(home.resolve("workspaces")).isEmptyDirectory();
    }
}
