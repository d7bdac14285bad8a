package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Servers with a capacity of one CPU, killed with -9, started twice on one home. */
class ServerCrashIT {
    private static final Duration LONG = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private Path pipeline(String id, String yaml) throws IOException {
        return ServerIT.writePipeline(tmp, id, yaml, ServerIT.PLAYBOOK);
    }

    private static JsonNode run(CliRunner sluice, String id) {
        CliRunner.Result status = sluice.run("status", "--run", id, "--json");
        assertThat(status.exit()).as(status.err()).isZero();
        return status.json().get("runs").get(0);
    }

    private static JsonNode task(JsonNode run, String id) {
        for (JsonNode t : run.get("tasks")) {
            if (t.get("id").asString().equals(id)) {
                return t;
            }
        }
        throw new AssertionError("no task " + id + " in " + run);
    }

    @Test
    void twoCpuBoundTasksOnAOneCpuServerTakeTurnsAndWaitingDoesNotCountTowardsTheirTimeout() throws Exception {
        Path home = tmp.resolve("home");
        Path marks = tmp.resolve("marks");
        Files.createDirectories(marks);
        // each task spins a CPU for SPIN seconds; its timeout is shorter than both together
        String spin = "echo start $SLUICE_TASK >> \"$MARKS/sequence\"; end=$(( $(date +%s) + ${SPIN:-3} ));"
                + " while [ $(date +%s) -lt $end ]; do :; done; echo end $SLUICE_TASK >> \"$MARKS/sequence\"";
        Path dir = pipeline("spinners", """
                id: spinners
                defaults: {timeout: 5s, resources: {cpus: 1, memory: 64MiB}}
                tasks:
                  - {id: left, run: '%s'}
                  - {id: right, run: '%s'}
                tests: [{name: quick, env: {SPIN: "0", MARKS: "."}, expect: {state: succeeded}}]
                """.formatted(spin, spin));
        try (SluiceServerProcess server = SluiceServerProcess.start(home, Map.of("MARKS", marks.toString()), "--cpus", "1")) {
            CliRunner sluice = new CliRunner(home);
            assertThat(sluice.run("deploy", dir.toString()).exit()).isZero();
            String runId = sluice.run("run", "spinners", "--detach", "--json").json().get("id").asString();

            JsonNode waiting = await().atMost(LONG).until(() -> run(sluice, runId),
                    r -> Stream.of("left", "right").anyMatch(t -> task(r, t).get("state").asString().equals("waiting")));
            assertThat(Stream.of("left", "right").map(t -> task(waiting, t).get("reason").asString("")))
                    .as("the task that does not fit waits for capacity").contains("capacity");

            JsonNode done = await().atMost(LONG).until(() -> run(sluice, runId), r -> r.get("ended_at").isString());
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("succeeded");
            List<String> sequence = Files.readAllLines(marks.resolve("sequence"));
            assertThat(sequence).hasSize(4);
            assertThat(sequence.get(0).replace("start", "end")).as("one at a time: " + sequence).isEqualTo(sequence.get(1));
            assertThat(sequence.get(2).replace("start", "end")).as("one at a time: " + sequence).isEqualTo(sequence.get(3));
        }
    }

    @Test
    void killNineMidTaskThenRestartAdoptsTheTaskAndTheRunSucceedsWithOneTeardownAndNothingLeft() throws Exception {
        Path home = tmp.resolve("home");
        Path marks = tmp.resolve("marks");
        Files.createDirectories(marks);
        Path dir = pipeline("crashy", """
                id: crashy
                environment:
                  setup: 'echo "setup $SLUICE_RUN_ID" >> "$MARKS/setups"'
                  teardown: 'echo "teardown $SLUICE_RUN_ID" >> "$MARKS/teardowns"'
                tasks:
                  - {id: slow, run: 'echo started >> "$MARKS/slow"; while [ ! -f "$MARKS/go" ]; do sleep 0.1; done; echo finished >> "$MARKS/slow"'}
                  - {id: after, needs: [slow], run: 'echo after >> "$MARKS/after"'}
                tests: [{name: quick, env: {MARKS: "."}, expect: {state: succeeded}}]
                """);
        Files.writeString(dir.resolve("go"), "");
        Map<String, String> env = Map.of("MARKS", marks.toString());
        int port = SluiceServerProcess.freePort();
        SluiceServerProcess first = SluiceServerProcess.start(home, port, env);
        CliRunner sluice = new CliRunner(home);
        String runId;
        try {
            assertThat(sluice.run("deploy", dir.toString()).exit()).isZero();
            runId = sluice.run("run", "crashy", "--detach", "--json").json().get("id").asString();
            await().atMost(LONG).until(() -> Files.exists(marks.resolve("slow")));

            // a second server on the same home is refused with one line
            Path log = tmp.resolve("second.log");
            Process second = SluiceServerProcess.launch(home, SluiceServerProcess.freePort(), env, log);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isNotZero();
            assertThat(Files.readAllLines(log)).hasSize(1).allMatch(l -> l.contains("another Sluice server runs on the home") && !l.contains("Exception"));
        } finally {
            first.kill();
        }

        Files.writeString(marks.resolve("go"), "");
        try (SluiceServerProcess restarted = SluiceServerProcess.start(home, port, env)) {
            JsonNode done = await().atMost(LONG).until(() -> run(sluice, runId), r -> r.get("ended_at").isString());
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("succeeded");
            assertThat(task(done, "slow").get("attempts").asInt()).as("adopted, not run again").isEqualTo(1);
            assertThat(Files.readAllLines(marks.resolve("slow"))).containsExactly("started", "finished");
            assertThat(Files.readAllLines(marks.resolve("after"))).containsExactly("after");
            await().atMost(LONG).until(() -> Files.exists(marks.resolve("teardowns")));
            assertThat(Files.readAllLines(marks.resolve("teardowns"))).containsExactly("teardown " + runId);
            assertThat(Files.readAllLines(marks.resolve("setups"))).containsExactly("setup " + runId);
            try (Stream<Path> left = Files.list(home.resolve("workspaces"))) {
                assertThat(left.toList()).as("no workspace left behind").isEmpty();
            }
        }
    }
}
