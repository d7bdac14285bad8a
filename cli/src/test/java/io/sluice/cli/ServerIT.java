package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server as a user meets it: a real {@code bin/sluice server} process on loopback, driven
 * through the CLI (which finds it through the home) and the REST API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration LONG = Duration.ofSeconds(90);

    /** Writes the pipeline directory {@code tmp/src/ID} with its pipeline.yaml and PLAYBOOK.md; returns it. */
    static Path writePipeline(Path tmp, String id, String yaml, String playbook) throws IOException {
        Path dir = tmp.resolve("src").resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), yaml);
        Files.writeString(dir.resolve("PLAYBOOK.md"), playbook);
        return dir;
    }

    static final String PLAYBOOK = """
            # any

            ## A task failed
            match: kind=failed

            ### Diagnose
            1. Read the log.

            ### Fix
            1. Fix the cause, then run again.

            ## A task timed out
            match: kind=timed_out

            ### Diagnose
            1. Look at what it waited for.

            ### Fix
            1. Raise the timeout.

            ## The run is stuck
            match: kind=stuck

            ### Diagnose
            1. sluice status --run RUN shows what it waits for.

            ### Fix
            1. Repair the upstream.

            ## Setup failed
            match: kind=setup_failed

            ### Diagnose
            1. Read the setup log.

            ### Fix
            1. Fix setup.

            ## Teardown failed
            match: kind=teardown_failed

            ### Diagnose
            1. Read the teardown log.

            ### Fix
            1. Clean up by hand.
            """;

    private Path tmp;
    private Path home;
    private Path marks;
    private SluiceServerProcess server;
    private CliRunner sluice;

    @BeforeAll
    void startServer(@TempDir Path dir) throws IOException {
        tmp = dir;
        home = tmp.resolve("home");
        marks = tmp.resolve("marks");
        Files.createDirectories(marks);
        server = SluiceServerProcess.start(home, Map.of("MARKS", marks.toString(), "SLUICE_SECRET_FROM_ENV", "env-secret-value-42"));
        sluice = new CliRunner(home);
    }

    @AfterAll
    void stopServer() throws InterruptedException {
        server.close();
    }

    private Path pipeline(String id, String yaml) throws IOException {
        Path dir = tmp.resolve("src").resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), yaml);
        Files.writeString(dir.resolve("PLAYBOOK.md"), PLAYBOOK);
        return dir;
    }

    private void deploy(Path... dirs) {
        List<String> args = new ArrayList<>(List.of("deploy"));
        for (Path d : dirs) {
            args.add(d.toString());
        }
        CliRunner.Result deployed = sluice.run(args.toArray(String[]::new));
        assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();
        assertThat(deployed.out()).as("deployed through the server").contains("sent to " + server.url());
    }

    private List<JsonNode> runs(String pipeline) {
        CliRunner.Result status = sluice.run("status", pipeline, "--json", "--limit", "100");
        if (status.exit() != 0) {
            return List.of();
        }
        return StreamSupport.stream(status.json().get("runs").spliterator(), false).toList();
    }

    private JsonNode run(String id) {
        CliRunner.Result status = sluice.run("status", "--run", id, "--json");
        assertThat(status.exit()).as(status.err()).isZero();
        return status.json().get("runs").get(0);
    }

    private static String day(int daysAgo) {
        return LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo).toString();
    }

    @Test
    void catchupCreatesOneRunPerMissedDayButNotForTodaysUnfinishedInterval() throws Exception {
        deploy(pipeline("catchup_daily", """
                id: catchup_daily
                schedule: "@daily"
                start_date: %s
                catchup: true
                max_active_runs: 3
                tasks: [{id: a, run: 'echo "$SLUICE_LOGICAL_DATE"'}]
                tests: [{name: ok, expect: {state: succeeded}}]
                """.formatted(day(3))));

        await().atMost(LONG).untilAsserted(() -> assertThat(runs("catchup_daily"))
                .extracting(r -> r.get("logical_date").asString() + " " + r.get("state").asString())
                .containsExactlyInAnyOrder(day(3) + " succeeded", day(2) + " succeeded", day(1) + " succeeded"));
        assertThat(runs("catchup_daily")).extracting(r -> r.get("kind").asString()).containsOnly("scheduled");

        // what a Prometheus scrape sees, with no token, as for /healthz
        HttpResponse<String> metrics = server.call("GET", "/metrics", null, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        java.util.regex.Matcher succeeded = java.util.regex.Pattern.compile("(?m)^sluice_runs\\{state=\"succeeded\"} ([0-9.]+)$").matcher(metrics.body());
        assertThat(succeeded.find()).as(metrics.body()).isTrue();
        assertThat(Double.parseDouble(succeeded.group(1))).isGreaterThanOrEqualTo(3);
        assertThat(metrics.body()).contains("sluice_capacity_cpus{use=\"free\"}").contains("sluice_scheduler_tick_seconds_count")
                .contains("sluice_run_duration_seconds_count{state=\"succeeded\"}").contains("sluice_tasks_waiting{reason=\"pool\"}");
    }

    @Test
    void backfillCreatesOneRunPerDayOnceAndRunsThemOneAtATimeWhenMaxActiveRunsIsOne() throws IOException {
        deploy(pipeline("one_at_a_time", """
                id: one_at_a_time
                schedule: "@daily"
                max_active_runs: 1
                on_overlap: wait
                tasks: [{id: a, run: 'echo "start $SLUICE_LOGICAL_DATE" >> "$MARKS/one_at_a_time"; sleep 0.5; echo "end $SLUICE_LOGICAL_DATE" >> "$MARKS/one_at_a_time"'}]
                tests: [{name: ok, env: {MARKS: "."}, expect: {state: succeeded}}]
                """));
        CliRunner.Result backfill = sluice.run("backfill", "one_at_a_time", "--from", "2026-01-01", "--to", "2026-01-03");
        assertThat(backfill.exit()).as(backfill.err()).isZero();
        assertThat(backfill.out()).contains("3 runs created");
        CliRunner.Result again = sluice.run("backfill", "one_at_a_time", "--from", "2026-01-02", "--to", "2026-01-04");
        assertThat(again.out()).as("intervals that have a run keep it").contains("1 run created").contains("2026-01-02: already has a run");

        // four backfilled days, and the latest finished day the schedule creates by itself (catchup: false)
        await().atMost(LONG).untilAsserted(() -> assertThat(runs("one_at_a_time"))
                .extracting(r -> r.get("kind").asString() + " " + r.get("state").asString())
                .containsExactlyInAnyOrder("scheduled succeeded", "backfill succeeded", "backfill succeeded", "backfill succeeded",
                        "backfill succeeded"));
        List<String> sequence = Files.readAllLines(marks.resolve("one_at_a_time"));
        for (int i = 0; i < sequence.size(); i += 2) {
            assertThat(sequence.get(i + 1)).as("never two at once: " + sequence).isEqualTo(sequence.get(i).replace("start", "end"));
        }
    }

    @Test
    void overlappingScheduledRunsAreSkippedWhenOnOverlapIsSkip() throws IOException {
        deploy(pipeline("hourly_skip", """
                id: hourly_skip
                schedule: "@hourly"
                start_date: %s
                catchup: true
                on_overlap: skip
                tasks: [{id: a, run: 'sleep 1'}]
                tests: [{name: ok, expect: {state: succeeded}}]
                """.formatted(day(1))));

        await().atMost(LONG).until(() -> runs("hourly_skip").size() >= 24
                && runs("hourly_skip").stream().allMatch(r -> r.get("ended_at").isString()));
        List<JsonNode> all = runs("hourly_skip");
        assertThat(all).extracting(r -> r.get("state").asString()).containsOnly("succeeded", "skipped").contains("skipped");
        assertThat(all).filteredOn(r -> r.get("state").asString().equals("skipped"))
                .allMatch(r -> r.get("reason").asString().contains("on_overlap: skip"));
    }

    @Test
    void downstreamWaitsForAFailedUpstreamRaisesStuckOnceAndGoesOnByItselfAfterTheRepair() throws IOException {
        Path up = pipeline("orders_up", """
                id: orders_up
                schedule: "@daily"
                start_date: %s
                catchup: true
                tasks:
                  - {id: load, run: 'test -f "$MARKS/orders_fixed" || { echo "source not ready" >&2; exit 1; }'}
                tests:
                  - {name: loads, env: {MARKS: fixture}, expect: {state: succeeded}}
                """.formatted(day(1)));
        Files.createDirectories(up.resolve("fixture"));
        Files.writeString(up.resolve("fixture/orders_fixed"), "");
        Path down = pipeline("orders_down", """
                id: orders_down
                schedule: "@daily"
                start_date: %s
                catchup: true
                max_wait: 1s
                depends_on: [{pipeline: orders_up}]
                alerts:
                  - command: 'cat >> "$MARKS/down_alerts"; echo >> "$MARKS/down_alerts"'
                tasks: [{id: report, run: 'echo report'}]
                tests: [{name: reports, expect: {state: succeeded}}]
                """.formatted(day(1)));
        deploy(up, down);

        await().atMost(LONG).until(() -> runs("orders_up").stream().anyMatch(r -> r.get("state").asString().equals("failed")));
        JsonNode waiting = await().atMost(LONG).until(() -> runs("orders_down").stream().findFirst().orElse(null),
                r -> r != null && r.get("state").asString().equals("waiting"));
        assertThat(waiting.get("reason").asString()).isEqualTo("upstream");
        Path alerts = marks.resolve("down_alerts");
        await().atMost(LONG).until(() -> Files.exists(alerts) && Files.readString(alerts).contains("\"stuck\""));
        assertThat(run(waiting.get("id").asString()).get("state").asString()).as("stuck is an alert, never a cancel").isEqualTo("waiting");

        // a person repairs the source and runs the upstream again for that day
        Files.writeString(marks.resolve("orders_fixed"), "");
        CliRunner.Result rerun = sluice.run("run", "orders_up", "--date", day(1));
        assertThat(rerun.exit()).as(rerun.out() + rerun.err()).isZero();

        await().atMost(LONG).until(() -> run(waiting.get("id").asString()).get("state").asString().equals("succeeded"));
        long stuckAlerts = Files.readAllLines(alerts).stream().filter(l -> l.contains("\"stuck\"")).count();
        assertThat(stuckAlerts).as("one stuck alert per wait").isEqualTo(1);
    }

    @Test
    void apiNeedsATokenAndTheRightRoleAndAnswersErrorsAsJson() throws Exception {
        String admin = server.adminToken();
        assertThat(server.call("GET", "/healthz", null, null).statusCode()).isEqualTo(200);

        HttpResponse<String> anonymous = server.call("GET", "/api/v1/runs", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(anonymous.body()).at("/error/code").asString()).isEqualTo("unauthenticated");
        assertThat(server.call("GET", "/api/v1/runs", "not-a-token", null).statusCode()).isEqualTo(401);

        CliRunner.Result created = sluice.run("token", "create", "viewer_bot", "--role", "viewer");
        assertThat(created.exit()).as(created.err()).isZero();
        String viewer = created.out().trim();
        assertThat(server.call("GET", "/api/v1/runs", viewer, null).statusCode()).isEqualTo(200);
        for (String[] call : new String[][] {{"POST", "/api/v1/pipelines/catchup_daily/runs", "{}"}, {"POST", "/api/v1/runs/abc/cancel", "{}"},
                {"POST", "/api/v1/tokens", "{\"name\":\"x\",\"role\":\"admin\"}"}, {"PUT", "/api/v1/secrets/X", "v"},
                {"POST", "/api/v1/pipelines", "zip"}, {"POST", "/api/v1/runs/abcd/clear", "{}"}, {"POST", "/api/v1/recover/plans", "{}"},
                {"POST", "/api/v1/recover/plans/abcd/apply", "{}"}, {"GET", "/api/v1/cleanup", null}, {"POST", "/api/v1/cleanup", "{}"},
                {"POST", "/api/v1/pipelines/catchup_daily/actions/fix", "{}"}, {"POST", "/api/v1/pipelines/catchup_daily/clear", "{}"}}) {
            HttpResponse<String> answer = server.call(call[0], call[1], viewer, call[2]);
            assertThat(answer.statusCode()).as(call[0] + " " + call[1]).isEqualTo(403);
            assertThat(JSON.readTree(answer.body()).at("/error/message").asString()).contains("viewer");
        }
        String operator = sluice.run("token", "create", "operator_bot", "--role", "operator").out().trim();
        assertThat(server.call("POST", "/api/v1/tokens", operator, "{\"name\":\"y\",\"role\":\"admin\"}").statusCode()).isEqualTo(403);
        assertThat(server.call("GET", "/api/v1/cleanup", operator, null).statusCode()).as("operators clean up").isEqualTo(200);
        HttpResponse<String> hostile = server.call("POST", "/api/v1/runs/abcd/clear", operator, "{\"tasks\": [\"../x\"]}");
        assertThat(hostile.statusCode()).isIn(400, 404);
        assertThat(server.call("POST", "/api/v1/recover/plans", operator, "{\"since\": \"yesterday\"}").statusCode()).isEqualTo(400);

        for (String path : List.of("/api/v1/runs/..%2F..%2Fetc%2Fpasswd", "/api/v1/runs/../../etc/passwd/logs", "/api/v1/runs/abc%00/why",
                "/api/v1/pipelines/..%2Fx/versions")) {
            HttpResponse<String> answer = server.call("GET", path, admin, null);
            assertThat(answer.statusCode()).as(path).isIn(400, 404);
            assertThat(answer.body()).as(path).doesNotContain("root:").contains("\"error\"");
        }
        deploy(pipeline("traversal", """
                id: traversal
                tasks: [{id: a, run: 'echo hi'}]
                tests: [{name: ok, expect: {state: succeeded}}]
                """));
        String runId = sluice.run("run", "traversal", "--json").json().get("id").asString();
        HttpResponse<String> task = server.call("GET", "/api/v1/runs/" + runId + "/logs?task=..%2F..%2F..%2Fcredentials", admin, null);
        assertThat(task.statusCode()).isEqualTo(404);
        assertThat(task.body()).doesNotContain("token=");
    }

    @Test
    void secretsNeverShowInLogsExplanationsOrAlerts() throws Exception {
        Process set = new ProcessBuilder(SluiceServerProcess.sluice().toString(), "--home", home.toString(), "secret", "set", "API_KEY")
                .redirectErrorStream(true).start();
        try (OutputStream in = set.getOutputStream()) {
            in.write("hunter2-very-secret\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(set.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(set.exitValue()).as(new String(set.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(sluice.run("secret", "list").out()).contains("API_KEY").doesNotContain("hunter2");

        deploy(pipeline("leaky", """
                id: leaky
                secrets: [API_KEY, FROM_ENV]
                alerts:
                  - command: 'cat >> "$MARKS/leaky_alerts"'
                  - webhook: http://127.0.0.1:%d/hook
                tasks:
                  - id: call
                    run: 'echo "using key $API_KEY and $FROM_ENV"; echo "refused with key $API_KEY" >&2; exit 3'
                tests:
                  - {name: fails, expect: {state: failed, playbook: A task failed}}
                """.formatted(server.port)));
        CliRunner.Result run = sluice.run("run", "leaky");
        assertThat(run.exit()).isEqualTo(1);
        String runId = runs("leaky").get(0).get("id").asString();

        String logs = sluice.run("logs", runId, "call").out();
        assertThat(logs).contains("using key *** and ***").doesNotContain("hunter2").doesNotContain("env-secret-value-42");
        String why = sluice.run("why", runId, "--json").out();
        assertThat(why).contains("refused with key ***").doesNotContain("hunter2");
        Path alerts = marks.resolve("leaky_alerts");
        await().atMost(LONG).until(() -> Files.exists(alerts) && Files.readString(alerts).contains("\"failed\""));
        assertThat(Files.readString(alerts)).contains("A task failed").doesNotContain("hunter2").doesNotContain("env-secret-value-42");

        // the webhook to loopback is refused (SSRF guard), and the refusal is visible, not lost
        await().atMost(LONG).until(() -> {
            JsonNode deliveries = JSON.readTree(server.call("GET", "/api/v1/alerts", server.adminToken(), null).body()).get("deliveries");
            return StreamSupport.stream(deliveries.spliterator(), false)
                    .anyMatch(d -> d.path("run").asString().equals(runId) && d.path("sink").asString().contains("127.0.0.1")
                            && d.path("state").asString().equals("failed") && d.path("error").asString().contains("internal address"));
        });
    }
}
