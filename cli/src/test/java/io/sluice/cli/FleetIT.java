package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.store.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several real server processes on one real PostgreSQL (SPEC §7): they share the work, create each
 * scheduled run once, and the survivors finish the work of one killed with -9, without running
 * any task twice.
 */
class FleetIT {
    private static final Duration LONG = Duration.ofSeconds(120);
    /** Short leases, so that a dead server on another machine would be noticed quickly too. */
    private static final Map<String, String> FAST = Map.of("SLUICE_LEASE_SECONDS", "5");

    @TempDir
    Path tmp;

    private Path pipeline(String id, String yaml) throws IOException {
        return ServerIT.writePipeline(tmp, id, yaml, ServerIT.PLAYBOOK);
    }

    private static List<Map<String, String>> query(String url, String sql) throws SQLException {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Map<String, String> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void twoServersShareTheRunsAndTheSurvivorFinishesThoseOfOneKilledWithoutRunningATaskTwice() throws Exception {
        String db = TestPostgres.newDatabase();
        Path marks = tmp.resolve("marks");
        Files.createDirectories(marks);
        String step = "echo \"start $SLUICE_RUN_ID $SLUICE_TASK\" >> \"$MARKS/log\"; sleep \"${PAUSE:-2}\";"
                + " echo \"end $SLUICE_RUN_ID $SLUICE_TASK\" >> \"$MARKS/log\"";
        Path dir = pipeline("shared_work", """
                id: shared_work
                max_active_runs: 10
                tasks:
                  - {id: a, run: '%1$s'}
                  - {id: b, needs: [a], run: '%1$s'}
                  - {id: c, needs: [b], run: '%1$s'}
                tests: [{name: quick, env: {PAUSE: "0", MARKS: "."}, expect: {state: succeeded}}]
                """.formatted(step));
        Map<String, String> env = new HashMap<>(FAST);
        env.put("MARKS", marks.toString());
        try (SluiceServerProcess first = SluiceServerProcess.start(tmp.resolve("home-a"), env, "--db", db);
             SluiceServerProcess second = SluiceServerProcess.start(tmp.resolve("home-b"), env, "--db", db)) {
            CliRunner a = new CliRunner(first.home);
            CliRunner.Result deployed = a.run("deploy", dir.toString());
            assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();
            Set<String> runs = new HashSet<>();
            for (int day = 1; day <= 6; day++) {
                CliRunner.Result started = a.run("run", "shared_work", "--detach", "--json", "--date", "2026-01-0" + day);
                assertThat(started.exit()).as(started.err()).isZero();
                runs.add(started.json().get("id").asString());
            }

            // both servers drive runs; then the second dies in the middle of its tasks
            String secondId = await().atMost(LONG).until(() -> query(db, """
                            SELECT s.id FROM servers s WHERE s.home = '%s'
                            AND EXISTS (SELECT 1 FROM runs r WHERE r.owner = s.id AND r.state = 'RUNNING')
                            AND EXISTS (SELECT 1 FROM runs r WHERE r.owner <> s.id AND r.state = 'RUNNING')"""
                            .formatted(second.home)).stream().map(r -> r.get("id")).findFirst().orElse(""),
                    id -> !id.isEmpty());
            second.kill();

            await().atMost(LONG).until(() -> query(db, "SELECT id FROM runs WHERE pipeline = 'shared_work' AND kind = 'manual'"
                    + " AND state = 'SUCCEEDED'").size() == runs.size());

            List<Map<String, String>> owners = query(db, "SELECT id, owner FROM runs WHERE pipeline = 'shared_work' AND kind = 'manual'");
            assertThat(owners).extracting(r -> r.get("id")).containsExactlyInAnyOrderElementsOf(runs);
            assertThat(owners).extracting(r -> r.get("owner")).as("the survivor took over the killed server's runs")
                    .doesNotContain(secondId);
            assertThat(query(db, "SELECT run_id, task_id FROM tasks t JOIN runs r ON r.id = t.run_id"
                    + " WHERE r.kind = 'manual' AND t.attempts <> 1")).as("no task started twice").isEmpty();
            List<String> log = Files.readAllLines(marks.resolve("log"));
            for (String run : runs) {
                for (String task : List.of("a", "b", "c")) {
                    assertThat(log).as("task %s of run %s ran once, to the end", task, run)
                            .containsOnlyOnce("start " + run + " " + task, "end " + run + " " + task);
                }
            }
            CliRunner.Result status = a.run("status", "shared_work", "--json");
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.json().get("runs").valueStream().filter(r -> r.get("state").asString().equals("succeeded")).count())
                    .as("the CLI on a server's home reads the shared database").isGreaterThanOrEqualTo(runs.size());
        }
    }

    @Test
    void threeServersCreateEachScheduledRunOnceAndAnotherFiresWhenTheOneFiringDies() throws Exception {
        String db = TestPostgres.newDatabase();
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        Path dir = pipeline("hourly_fleet", """
                id: hourly_fleet
                schedule: "@hourly"
                timezone: UTC
                start_date: %s
                catchup: true
                max_active_runs: 5
                tasks:
                  - {id: only, run: 'true', retries: 1, retry_delay: 0s}
                tests: [{name: quick, expect: {state: succeeded}}]
                """.formatted(yesterday));
        // A kill -9 that lands between the commit of a task's start and the request to the
        // launcher leaves that attempt lost (docs/fleet.md), and under load that window is wide
        // enough to be hit; the retry lets every interval still end succeeded, which is what this
        // test counts. That no task runs twice is the other test's business.
        List<SluiceServerProcess> servers = new ArrayList<>();
        try {
            for (String home : List.of("home-x", "home-y", "home-z")) {
                servers.add(SluiceServerProcess.start(tmp.resolve(home), FAST, "--db", db));
            }
            CliRunner x = new CliRunner(servers.get(0).home);
            CliRunner.Result deployed = x.run("deploy", dir.toString());
            assertThat(deployed.exit()).as(deployed.out() + deployed.err()).isZero();
            await().atMost(LONG).until(() -> !query(db, "SELECT id FROM runs WHERE pipeline = 'hourly_fleet'"
                    + " AND kind = 'scheduled' AND state = 'SUCCEEDED'").isEmpty());

            // the server firing the schedule dies; another takes its duties over
            String holder = query(db, "SELECT holder FROM leases WHERE name = 'duties'").get(0).get("holder");
            String holderHome = query(db, "SELECT home FROM servers WHERE id = '" + holder + "'").get(0).get("home");
            SluiceServerProcess dying = servers.stream().filter(s -> s.home.toString().equals(holderHome)).findFirst().orElseThrow();
            dying.kill();
            await().atMost(LONG).until(() -> {
                List<Map<String, String>> lease = query(db, "SELECT holder FROM leases WHERE name = 'duties'");
                return !lease.isEmpty() && !lease.get(0).get("holder").equals(holder);
            });

            String newHolder = query(db, "SELECT holder FROM leases WHERE name = 'duties'").get(0).get("holder");
            String newHome = query(db, "SELECT home FROM servers WHERE id = '" + newHolder + "'").get(0).get("home");
            SluiceServerProcess holding = servers.stream().filter(s -> s.home.toString().equals(newHome)).findFirst().orElseThrow();
            String metrics = holding.call("GET", "/metrics", holding.adminToken(), null).body();
            assertThat(metrics).as("the dashboards see who fires the schedules, and how many servers are left")
                    .contains("sluice_server_holds_duties 1.0").contains("sluice_servers_alive 2.0");

            Instant firstStart = yesterday.atStartOfDay(ZoneOffset.UTC).toInstant();
            long ended = ChronoUnit.HOURS.between(firstStart, Instant.now().truncatedTo(ChronoUnit.HOURS));
            await().atMost(LONG).until(() -> query(db, "SELECT id FROM runs WHERE pipeline = 'hourly_fleet' AND kind = 'scheduled'"
                    + " AND state = 'SUCCEEDED'").size() >= ended);
            assertThat(query(db, "SELECT interval_start FROM runs WHERE kind = 'scheduled' GROUP BY interval_start HAVING COUNT(*) > 1"))
                    .as("no interval got two runs").isEmpty();
            List<String> starts = query(db, "SELECT interval_start FROM runs WHERE kind = 'scheduled' ORDER BY interval_start")
                    .stream().map(r -> r.get("interval_start")).toList();
            assertThat(Instant.parse(starts.get(0))).isEqualTo(firstStart);
            for (int i = 1; i < starts.size(); i++) {
                assertThat(Instant.parse(starts.get(i))).as("no interval left out").isEqualTo(Instant.parse(starts.get(i - 1)).plus(Duration.ofHours(1)));
            }
        } finally {
            for (SluiceServerProcess s : servers) {
                s.close();
            }
        }
    }
}
