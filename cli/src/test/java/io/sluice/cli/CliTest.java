package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The commands as a user types them: exit codes, one-line errors, output and --json shapes (SPEC §6). */
class CliTest {
    @TempDir
    Path tmp;

    private CliRunner sluice;

    @BeforeEach
    void home() {
        sluice = new CliRunner(tmp.resolve("home"));
    }

    private Path write(String name, String yaml, String playbook) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), yaml);
        if (playbook != null) {
            Files.writeString(dir.resolve("PLAYBOOK.md"), playbook);
        }
        return dir;
    }

    private static final String PLAYBOOK = """
            # p

            ## Any failure
            match: kind=failed

            ### Diagnose
            1. Read the log.

            ### Fix
            1. Fix and rerun.

            ## Orders export is late
            match: task=extract kind=failed log=/source .* not ready/

            ### Diagnose
            1. Check the export share.

            ### Fix
            1. Wait for the file, then `sluice recover plan --pipeline p`.

            ## Anything timed out
            match: task=* kind=timed_out

            ### Diagnose
            1. Check the load.

            ### Fix
            1. Raise the timeout.
            """;

    @Test
    void initScaffoldsAPipelineThatValidatesAndRuns() {
        Path dir = tmp.resolve("My-Pipeline");

        CliRunner.Result init = sluice.run("init", dir.toString());
        assertThat(init.exit()).isZero();
        assertThat(init.out()).contains("created pipeline my_pipeline");

        CliRunner.Result validate = sluice.run("validate", dir.toString());
        assertThat(validate.exit()).as(validate.out()).isZero();
        assertThat(validate.out()).contains("my_pipeline: valid").doesNotContain("warning");

        CliRunner.Result run = sluice.run("run", dir.toString());
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("succeeded");

        assertThat(sluice.run("init", dir.toString()).exit()).as("refuses a non-empty directory").isEqualTo(2);
    }

    @Test
    void jsonKeysPrintInTheDocumentedOrderEveryTime() {
        // Map.of would print them in an order that changes from one JVM to the next
        CliRunner.Result cleanup = sluice.run("cleanup", "--json");
        assertThat(cleanup.exit()).as(cleanup.err()).isZero();
        assertThat(cleanup.json().propertyNames()).containsExactly("leftovers", "applied", "done");
    }

    @Test
    void validateReportsEveryProblemAsFileLineColumnAndExitsOne() throws IOException {
        Path dir = write("broken", """
                id: broken
                schedul: "@daily"
                tasks:
                  - {id: a, run: "true", needs: [b]}
                  - {id: b, run: "true", needs: [a]}
                """, PLAYBOOK);

        CliRunner.Result r = sluice.run("validate", dir.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains(dir + "/pipeline.yaml:2:1: unknown key 'schedul' (did you mean 'schedule'?)")
                .contains(dir + "/pipeline.yaml:4:5: cycle in needs: a -> b -> a")
                .contains("invalid: 2 errors");
    }

    @Test
    void validateNamesMissingPlaybookCoverage() throws IOException {
        Path dir = write("uncovered", "id: uncovered\ntasks:\n  - {id: load, run: \"true\"}\n", """
                ## Load failed
                match: task=load kind=failed
                ### Diagnose
                a
                ### Fix
                b
                """);

        CliRunner.Result r = sluice.run("validate", dir.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("PLAYBOOK.md:1:1: no playbook entry covers task 'load' kind=timed_out");
    }

    @Test
    void validateJsonListsErrorsAndWarnings() throws IOException {
        Path dir = write("json", "id: json\ntasks: [{id: a, run: x}]\n", """
                ## Catch all
                match:
                ### Diagnose
                a
                ### Fix
                b
                """);

        JsonNode json = sluice.run("validate", "--json", dir.toString()).json();

        JsonNode p = json.get("pipelines").get(0);
        assertThat(p.get("valid").asBoolean()).isTrue();
        assertThat(p.get("id").asString()).isEqualTo("json");
        assertThat(p.get("warnings").get(0).get("line").asInt()).isEqualTo(1);
        assertThat(p.get("warnings").get(0).get("message").asString()).contains("no conditions");
    }

    @Test
    void aMissingPathIsAUsageErrorOnOneLine() {
        CliRunner.Result r = sluice.run("validate", tmp.resolve("nope").toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("no such file or directory");
    }

    @Test
    void aFailedRunExitsOneAndWhyShowsTheSpecificPlaybookEntryWithItsSteps() throws IOException {
        Path dir = write("p", """
                id: p
                tasks:
                  - {id: extract, run: "echo 'source orders_2024-01-01.csv not ready' >&2; exit 3"}
                  - {id: load, needs: [extract], run: "true"}
                """, PLAYBOOK);

        CliRunner.Result run = sluice.run("run", dir.toString(), "--date", "2024-01-01");
        assertThat(run.exit()).isEqualTo(1);
        String runId = run.out().lines().findFirst().orElseThrow().split(" ")[1].replace(":", "");

        CliRunner.Result why = sluice.run("why", runId);
        assertThat(why.exit()).isZero();
        assertThat(why.out())
                .contains("extract: failed (attempt 1, exit 3)")
                .contains("| source orders_2024-01-01.csv not ready")
                .contains("playbook: Orders export is late")
                .contains("1. Check the export share.")
                .contains("1. Wait for the file")
                .contains("load: upstream_failed")
                .doesNotContain("Any failure");

        JsonNode json = sluice.run("why", "--json", runId).json();
        assertThat(json.get("failures").get(0).get("playbook").get("title").asString()).isEqualTo("Orders export is late");
        assertThat(json.get("failures").get(0).get("exit_code").asInt()).isEqualTo(3);
    }

    @Test
    void runJsonAndStatusJsonHaveTheSpecShapes() throws IOException {
        Path dir = write("shapes", """
                id: shapes
                params: {region: eu}
                tasks:
                  - {id: a, run: "true"}
                  - {id: b, needs: [a], run: "exit 2"}
                """, PLAYBOOK);

        CliRunner.Result first = sluice.run("run", "--json", dir.toString(), "--date", "2024-01-01");
        CliRunner.Result second = sluice.run("run", "--json", dir.toString(), "--date", "2024-01-02", "--param", "region=us");

        assertThat(first.exit()).isEqualTo(1);
        JsonNode run = second.json();
        assertThat(run.propertyNames()).contains("id", "pipeline", "version", "logical_date", "state", "reason",
                "started_at", "ended_at", "tasks");
        assertThat(run.get("pipeline").asString()).isEqualTo("shapes");
        assertThat(run.get("logical_date").asString()).isEqualTo("2024-01-02");
        assertThat(run.get("state").asString()).isEqualTo("failed");
        assertThat(run.get("version").asString()).hasSize(64);
        assertThat(run.get("params").get("region").asString()).isEqualTo("us");
        JsonNode b = run.get("tasks").get(1);
        assertThat(b.propertyNames()).contains("id", "state", "attempts", "exit_code");
        assertThat(b.get("id").asString()).isEqualTo("b");
        assertThat(b.get("exit_code").asInt()).isEqualTo(2);

        JsonNode status = sluice.run("status", "--json").json();
        assertThat(status.get("runs")).hasSize(2);
        assertThat(status.get("runs").get(0).get("id").asString()).as("newest first").isEqualTo(run.get("id").asString());

        CliRunner.Result one = sluice.run("status", "--run", run.get("id").asString());
        assertThat(one.out()).contains("b", "failed", "exit");
        assertThat(sluice.run("status", "shapes").out()).contains("shapes");
    }

    @Test
    void logsPrintATasksLogAndEveryAttempt() throws IOException {
        Path dir = write("logs", """
                id: logs
                tasks:
                  - {id: flaky, retries: 1, retry_delay: 10ms, run: 'echo "try $SLUICE_ATTEMPT"; echo "to stderr" >&2; test $SLUICE_ATTEMPT = 2'}
                """, PLAYBOOK);
        String runId = sluice.run("run", "--json", dir.toString()).json().get("id").asString();

        assertThat(sluice.run("logs", runId, "flaky").out()).isEqualTo("try 2\nto stderr\n");
        assertThat(sluice.run("logs", runId, "flaky", "--attempt", "1").out()).isEqualTo("try 1\nto stderr\n");
        assertThat(sluice.run("logs", runId).out()).contains("==> flaky (attempt 1, failed) <==", "==> flaky (attempt 2, succeeded) <==");

        CliRunner.Result unknown = sluice.run("logs", runId, "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("has no task 'nope'");
    }

    @Test
    void badArgumentsAreExitTwoWithOneLineAndNoStackTrace() throws IOException {
        Path dir = write("args", "id: args\nparams: {region: eu}\ntasks: [{id: a, run: \"true\"}]\n", PLAYBOOK);

        assertOneLineUsageError(sluice.run("why", "nosuchrun1"), "no run 'nosuchrun1'");
        assertOneLineUsageError(sluice.run("status", "--run", "../../etc"), "not a run id");
        assertOneLineUsageError(sluice.run("run", dir.toString(), "--date", "2024-02-30"), "bad date");
        assertOneLineUsageError(sluice.run("run", dir.toString(), "--date", "tomorrow"), "bad date");
        assertOneLineUsageError(sluice.run("run", dir.toString(), "--param", "regoin=us"), "did you mean 'region'?");
        assertOneLineUsageError(sluice.run("run", dir.toString(), "--param", "region"), "expected NAME=VALUE");
        assertOneLineUsageError(sluice.run("run", dir.toString(), "--bogus"), "Unknown option");
        assertOneLineUsageError(sluice.run("run", "no_such_pipeline"), "neither a pipeline directory nor a deployed pipeline");
        assertOneLineUsageError(sluice.run("frobnicate"), "unknown command 'frobnicate'");
        assertOneLineUsageError(sluice.run("--server", "ftp://localhost:8080", "status"), "an http:// or https:// URL");
        assertOneLineUsageError(sluice.run("run", dir.toString(), "--detach"), "needs a running server");
        assertOneLineUsageError(sluice.run("status", "nosuchpipe"), "no pipeline 'nosuchpipe'");
        assertThat(sluice.run("status", "--json").json().get("runs")).as("nothing ran").isEmpty();
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : Sluice.commandNames()) {
            CliRunner.Result help = sluice.run(command, "--help");
            assertThat(help.exit()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: sluice " + command);
        }
    }

    @Test
    void logsJsonCarriesEachAttempt() throws IOException {
        Path dir = write("logsjson", "id: logsjson\ntasks: [{id: a, run: \"echo hello\"}]\n", PLAYBOOK);
        String runId = sluice.run("run", "--json", dir.toString()).json().get("id").asString();

        JsonNode logs = sluice.run("logs", "--json", runId).json();

        assertThat(logs.get("run").asString()).isEqualTo(runId);
        assertThat(logs.get("logs").get(0).get("task").asString()).isEqualTo("a");
        assertThat(logs.get("logs").get(0).get("log").asString()).isEqualTo("hello\n");
        assertThat(logs.get("logs").get(0).get("exit_code").asInt()).isZero();
    }

    @Test
    void aKubernetesPipelineWithNoClusterConfiguredIsRefusedWithOneLine() throws IOException {
        Path dir = write("k8s", "id: k8s\nenvironment: {executor: kubernetes, image: alpine:3}\ntasks: [{id: a, run: \"true\"}]\n", PLAYBOOK);

        assertThat(sluice.run("validate", dir.toString()).out()).doesNotContain("warning");
        org.junit.jupiter.api.Assumptions.assumeFalse(io.sluice.kubernetes.Clusters.configured(System.getenv()), "a cluster is configured here");
        CliRunner.Result run = sluice.run("run", dir.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("no cluster is configured", "nothing ran").doesNotContain("Exception");
    }

    @Test
    void anInvalidPipelineDoesNotRunAndExitsOne() throws IOException {
        Path dir = write("invalid", "id: invalid\ntasks: [{id: a, run: \"true\", needs: [ghost]}]\n", PLAYBOOK);

        CliRunner.Result r = sluice.run("run", dir.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("pipeline.yaml:2:38:").contains("needs 'ghost'").contains("nothing ran");
        assertThat(sluice.run("status", "--json").json().get("runs")).isEmpty();
    }

    private static void assertOneLineUsageError(CliRunner.Result r, String message) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).contains(message).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
