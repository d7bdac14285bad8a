package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A bad night, recovered the way SPEC §6 means: Sluice plans, a person applies. Real server and
 * CLI processes; pipelines written here, the way a user would write them.
 */
class RecoveryIT {
    private static final Duration LONG = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private Path marks;

    private Path pipeline(String id, String yaml, String playbook) throws IOException {
        return ServerIT.writePipeline(tmp, id, yaml, playbook);
    }

    private static String day(int daysAgo) {
        return LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo).toString();
    }

    private static List<JsonNode> runs(CliRunner sluice, String pipeline) {
        CliRunner.Result status = sluice.run("status", pipeline, "--json", "--limit", "100");
        assertThat(status.exit()).as(status.err()).isZero();
        return StreamSupport.stream(status.json().get("runs").spliterator(), false).toList();
    }

    private static List<String> states(CliRunner sluice, String pipeline) {
        return runs(sluice, pipeline).stream().map(r -> r.get("state").asString()).toList();
    }

    private static final String UP_PLAYBOOK = ServerIT.PLAYBOOK.replace("## A task failed", """
            ## Orders not exported yet
            match: task=load kind=failed log=/orders not exported/
            action: mark_exported

            ### Diagnose
            1. `sluice logs RUN load` says which day is missing.

            ### Fix
            1. Once the export is there, `sluice recover plan --pipeline orders`, read it, apply it.

            ## A task failed""");

    @Test
    void aPlanListsTheFailedUpstreamChangesNothingIsRefusedOnceStaleAndAFreshOneRepairsUpstreamThenDownstream() throws Exception {
        marks = Files.createDirectories(tmp.resolve("marks"));
        Path orders = pipeline("orders", """
                id: orders
                schedule: "@daily"
                start_date: %s
                catchup: true
                tasks:
                  - {id: load, run: 'test -f "$MARKS/exported" || { echo "orders not exported for $SLUICE_LOGICAL_DATE" >&2; exit 1; }'}
                  - {id: publish, needs: [load], run: 'echo published $SLUICE_LOGICAL_DATE'}
                actions:
                  mark_exported:
                    description: Records that the export has arrived.
                    run: 'echo "export of $SLUICE_LOGICAL_DATE is in"; touch "$MARKS/exported"'
                tests:
                  - {name: waits_for_the_export, expect: {state: failed, playbook: Orders not exported yet}}
                """.formatted(day(2)), UP_PLAYBOOK);
        Path report = pipeline("report", """
                id: report
                schedule: "@daily"
                start_date: %s
                catchup: true
                depends_on: [{pipeline: orders}]
                tasks: [{id: render, run: 'echo report $SLUICE_LOGICAL_DATE'}]
                tests: [{name: renders, expect: {state: succeeded}}]
                """.formatted(day(2)), ServerIT.PLAYBOOK);
        try (SluiceServerProcess server = SluiceServerProcess.start(tmp.resolve("home"), Map.of("MARKS", marks.toString()))) {
            CliRunner sluice = new CliRunner(server.home);
            CliRunner.Result deployed = sluice.run("deploy", orders.toString(), report.toString());
            assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();

            // the night: both days of orders fail; the reports wait for them
            await().atMost(LONG).until(() -> states(sluice, "orders").equals(List.of("failed", "failed")));
            await().atMost(LONG).until(() -> states(sluice, "report").equals(List.of("waiting", "waiting")));
            List<String> failedOrders = runs(sluice, "orders").stream().map(r -> r.get("id").asString()).toList().reversed();

            // a plan: the failed upstream, oldest first; the waiting reports resume by themselves; nothing changes
            CliRunner.Result planned = sluice.run("recover", "plan", "--json");
            assertThat(planned.exit()).as(planned.err()).isZero();
            JsonNode stale = planned.json();
            assertThat(StreamSupport.stream(stale.get("steps").spliterator(), false).map(s -> s.get("run").asString()).toList())
                    .containsExactlyElementsOf(failedOrders);
            assertThat(stale.get("steps").get(0).get("action").asString()).isEqualTo("clear");
            assertThat(stale.get("resumes")).hasSize(2);
            assertThat(sluice.run("recover", "plan").out()).containsPattern("(?m)^plan [a-z0-9]+$");
            assertThat(states(sluice, "orders")).containsExactly("failed", "failed");

            // why names the fix script; without a terminal, clear asks and so changes nothing
            assertThat(sluice.run("why", failedOrders.get(0)).out()).contains("sluice action orders mark_exported --date " + day(2));
            CliRunner.Result unconfirmed = sluice.run("clear", failedOrders.get(0));
            assertThat(unconfirmed.exit()).isEqualTo(2);
            assertThat(unconfirmed.out()).contains("will reset 2 tasks: load, publish");
            assertThat(states(sluice, "orders")).containsExactly("failed", "failed");

            // someone clears the first day by hand (it fails again): the first plan is now stale
            CliRunner.Result cleared = sluice.run("clear", failedOrders.get(0), "--yes");
            assertThat(cleared.exit()).as(cleared.out() + cleared.err()).isZero();
            await().atMost(LONG).until(() -> sluice.run("status", "--run", failedOrders.get(0), "--json").json()
                    .get("runs").get(0).get("tasks").get(0).get("attempts").asInt() == 2
                    && states(sluice, "orders").equals(List.of("failed", "failed")));
            CliRunner.Result refused = sluice.run("recover", "apply", stale.get("id").asString(), "--yes");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("stale").contains(failedOrders.get(0)).doesNotContain(failedOrders.get(1));
            assertThat(sluice.run("status", "--run", failedOrders.get(1), "--json").json().get("runs").get(0)
                    .get("tasks").get(0).get("attempts").asInt()).as("the refused plan changed nothing").isEqualTo(1);

            // the cause is fixed with the pipeline's own fix script, then a fresh plan is applied
            CliRunner.Result fixed = sluice.run("action", "orders", "mark_exported", "--date", day(1), "--yes");
            assertThat(fixed.exit()).as(fixed.out() + fixed.err()).isZero();
            assertThat(fixed.out()).contains("export of " + day(1) + " is in");
            assertThat(marks.resolve("exported")).exists();
            CliRunner.Result left = sluice.run("cleanup", "--json");
            assertThat(left.json().get("leftovers")).as("the action's sandbox is gone: " + left.out()).isEmpty();
            String fresh = sluice.run("recover", "plan", "--pipeline", "orders", "--json").json().get("id").asString();
            CliRunner.Result applied = sluice.run("recover", "apply", fresh, "--yes");
            assertThat(applied.exit()).as(applied.out() + applied.err()).isZero();
            assertThat(applied.out()).contains("2 succeeded");
            await().atMost(LONG).until(() -> states(sluice, "report").equals(List.of("succeeded", "succeeded")));
            assertThat(states(sluice, "orders")).containsExactly("succeeded", "succeeded");
            CliRunner.Result shown = sluice.run("recover", "show", fresh);
            assertThat(shown.out()).contains("progress: 2 succeeded");

            // every step is in the audit log, with who did it
            JsonNode audit = sluice.run("audit", "--json").json().get("entries");
            List<String> lines = new ArrayList<>();
            audit.forEach(e -> lines.add(e.get("action").asString() + " " + e.get("target").asString() + " " + e.get("outcome").asString()
                    + " " + e.path("detail").asString("")));
            assertThat(lines).anyMatch(l -> l.startsWith("plan " + stale.get("id").asString()));
            assertThat(lines).anyMatch(l -> l.startsWith("apply " + stale.get("id").asString() + " refused: stale"));
            assertThat(lines).anyMatch(l -> l.startsWith("apply " + fresh + " applied"));
            assertThat(lines).anyMatch(l -> l.startsWith("clear orders " + failedOrders.get(0) + " cleared tasks: load, publish"));
            for (String run : failedOrders) {
                assertThat(lines).anyMatch(l -> l.startsWith("clear orders " + run + " cleared plan " + fresh));
            }
            assertThat(lines).anyMatch(l -> l.startsWith("action orders mark_exported succeeded"));
            assertThat(audit).allMatch(e -> e.get("who").asString().equals("admin"));
        }
    }

    @Test
    void cancelStopsATaskThatIgnoresSigtermRunsTeardownOnceAndLeavesNothing() throws Exception {
        marks = Files.createDirectories(tmp.resolve("marks"));
        Path stubborn = pipeline("stubborn", """
                id: stubborn
                environment:
                  teardown: '[ "$HOLD" = no ] || echo torn down >> "$MARKS/teardowns"'
                tasks:
                  - {id: hold, run: '[ "$HOLD" = no ] && exit 0; trap "" TERM; touch "$MARKS/holding"; while :; do sleep 1; done'}
                tests: [{name: lets_go_in_tests, env: {HOLD: "no"}, expect: {state: succeeded}}]
                """, ServerIT.PLAYBOOK);
        try (SluiceServerProcess server = SluiceServerProcess.start(tmp.resolve("home"), Map.of("MARKS", marks.toString()))) {
            CliRunner sluice = new CliRunner(server.home);
            CliRunner.Result deployed = sluice.run("deploy", stubborn.toString());
            assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();
            CliRunner.Result started = sluice.run("run", "stubborn", "--detach", "--json");
            assertThat(started.exit()).as(started.out() + started.err()).isZero();
            String run = started.json().get("id").asString();
            await().atMost(LONG).until(() -> Files.exists(marks.resolve("holding")));

            CliRunner.Result cancel = sluice.run("cancel", run);
            assertThat(cancel.exit()).as(cancel.err()).isZero();

            JsonNode ended = await().atMost(LONG).until(() -> sluice.run("status", "--run", run, "--json").json().get("runs").get(0),
                    r -> r.get("state").asString().equals("cancelled"));
            assertThat(ended.get("tasks").get(0).get("state").asString()).isEqualTo("cancelled");
            assertThat(Files.readAllLines(marks.resolve("teardowns"))).containsExactly("torn down");
            CliRunner.Result left = sluice.run("cleanup", "--json");
            assertThat(left.json().get("leftovers")).as(left.out()).isEmpty();
            assertThat(sluice.run("audit").out()).contains("cancel").contains(run);
        }
    }

    @Test
    void cleanupFindsWhatAKilledRunLeftBehindAndRemovesItRunningTheDueTeardownOnce() throws Exception {
        marks = Files.createDirectories(tmp.resolve("marks"));
        Path slow = pipeline("slow", """
                id: slow
                environment:
                  setup: 'echo set up >> "$MARKS/setups"'
                  teardown: 'echo torn down >> "$MARKS/teardowns"'
                tasks:
                  - {id: work, run: 'touch "$MARKS/working"; sleep 297'}
                """, ServerIT.PLAYBOOK);
        Path home = tmp.resolve("home");
        ProcessBuilder pb = new ProcessBuilder(SluiceServerProcess.sluice().toString(), "--home", home.toString(), "run", slow.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("run.out").toFile());
        pb.environment().put("MARKS", marks.toString());
        pb.environment().remove("SLUICE_SERVER");
        Process run = pb.start();
        await().atMost(LONG).until(() -> Files.exists(marks.resolve("working")));
        run.destroyForcibly(); // kill -9: no teardown, no sweep, the workspace stays
        run.waitFor(30, TimeUnit.SECONDS);

        CliRunner sluice = new CliRunner(home);
        CliRunner.Result listed = sluice.run("cleanup", "--json");
        assertThat(listed.exit()).as(listed.err()).isZero();
        List<String> kinds = new ArrayList<>();
        listed.json().get("leftovers").forEach(l -> kinds.add(l.get("kind").asString()));
        assertThat(kinds).contains("run", "workspace", "process", "teardown");
        assertThat(marks.resolve("teardowns")).as("listing changes nothing").doesNotExist();
        Path workspaces = home.resolve("workspaces");
        assertThat(workspaces).isNotEmptyDirectory();

        // in a shell where the teardown finds what it needs, as the person who ran it would
        ProcessBuilder cleanup = new ProcessBuilder(SluiceServerProcess.sluice().toString(), "--home", home.toString(), "cleanup", "--apply")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("cleanup.out").toFile());
        cleanup.environment().put("MARKS", marks.toString());
        cleanup.environment().remove("SLUICE_SERVER");
        Process applying = cleanup.start();
        assertThat(applying.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String applied = Files.readString(tmp.resolve("cleanup.out"));
        assertThat(applying.exitValue()).as(applied).isZero();
        assertThat(applied).contains("killed").contains("ran the teardown").contains("removed workspace");

        assertThat(Files.readAllLines(marks.resolve("teardowns"))).containsExactly("torn down");
        assertThat(workspaces).isEmptyDirectory();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")).filter(c -> c.contains("sleep 297")))
                .as("the task's processes are gone").isEmpty();
        assertThat(runs(sluice, "slow").get(0).get("state").asString()).isEqualTo("failed");
        assertThat(sluice.run("cleanup").out()).contains("nothing left behind");
    }
}
