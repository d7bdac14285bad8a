package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.sluice.kubernetes.FakeCluster;
import io.sluice.store.Database;
import io.sluice.store.RunStore;
import io.sluice.store.TransitionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pipelines with {@code executor: kubernetes} run by a real {@code bin/sluice} process against
 * fabric8's mock API server, whose fake kubelet runs each Job's container command as a local
 * process (see {@link FakeCluster}). What a real cluster adds (scheduling, images, quota
 * enforcement) is not tested here; docs/kubernetes.md says so.
 */
class KubernetesIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    @TempDir
    Path tmp;
    FakeCluster cluster;
    Path kubeconfig;
    Path home;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeCluster.start(tmp.resolve("cluster"));
        cluster.addNode("node-1", "4", "8Gi");
        kubeconfig = cluster.writeKubeconfig(tmp.resolve("kubeconfig"));
        home = tmp.resolve("home");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private record Result(int exit, String out) {
        JsonNode json() {
            return JSON.readTree(out);
        }
    }

    private Result sluice(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SluiceServerProcess.sluice().toString(), "--home", home.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("SLUICE_SECRET_API_KEY", "k8s-secret-value");
        Process p = pb.start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), Files.readString(out) + Files.readString(tmp.resolve("err.txt")));
    }

    private Path pipeline(String yaml) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pipeline"));
        Files.writeString(dir.resolve("pipeline.yaml"), yaml);
        Files.writeString(dir.resolve("PLAYBOOK.md"), """
                # pipeline

                ## Any failure
                match: kind=failed

                ### Diagnose
                1. Read the log.

                ### Fix
                1. Fix it, then clear the run.

                ## Too slow
                match: kind=timed_out

                ### Diagnose
                1. Look at the cluster's load.

                ### Fix
                1. Raise the timeout.
                """);
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/extract.sh"), "#!/bin/sh\necho \"extracting for $SLUICE_LOGICAL_DATE in $SLUICE_WORKSPACE\"\necho 'id,amount' > orders.csv\n");
        dir.resolve("bin/extract.sh").toFile().setExecutable(true);
        return dir;
    }

    private List<TransitionRecord> taskTransitions(String runId) {
        try (Database db = Database.open(home)) {
            return new RunStore(db, Clock.systemUTC()).taskTransitions(runId);
        }
    }

    @Test
    void aPipelineRunsItsTasksAsJobsInANamespaceOfItsOwnThatGoesAwayWhenTheRunEnds() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        Path dir = pipeline("""
                id: k8s_sales
                params: {region: eu}
                secrets: [API_KEY]
                environment:
                  executor: kubernetes
                  image: debian:12
                  setup: 'echo "$SLUICE_K8S_NAMESPACE" > %1$s/namespace; echo "WAREHOUSE=wh-$SLUICE_RUN_ID" >> "$SLUICE_ENV"'
                  teardown: 'echo down > %1$s/teardown'
                defaults: {resources: {cpus: 0.5, memory: 128MiB}}
                tasks:
                  - id: extract
                    run: ./bin/extract.sh && test -f orders.csv
                  - id: transform
                    needs: [extract]
                    retries: 1
                    retry_delay: 100ms
                    run: 'echo "attempt $SLUICE_ATTEMPT region=$SLUICE_PARAM_REGION wh=$WAREHOUSE key=$API_KEY"; test "$SLUICE_ATTEMPT" = 2'
                """.formatted(marks));

        Result run = sluice("run", dir.toString(), "--param", "region=us; touch /tmp/pwned", "--json");

        assertThat(run.exit()).as(run.out()).isZero();
        JsonNode json = run.json();
        String runId = json.path("id").asString();
        assertThat(json.path("state").asString()).isEqualTo("succeeded");
        String namespace = "sluice-" + runId;
        assertThat(Files.readString(marks.resolve("namespace")).trim()).isEqualTo(namespace);
        assertThat(marks.resolve("teardown")).exists();
        assertThat(sluice("logs", runId, "extract").out()).contains("extracting for").containsPattern("in \\S*/workspace\\n");
        String transform = sluice("logs", runId, "transform").out();
        assertThat(transform).contains("attempt 2 region=us; touch /tmp/pwned wh=wh-" + runId + " key=***");
        assertThat(Path.of("/tmp/pwned")).doesNotExist();
        // both attempts were Jobs with the run's labels; the quota is what all tasks request together
        Job second = cluster.client().batch().v1().jobs().inNamespace(namespace).withName("transform-2").get();
        assertThat(second.getMetadata().getLabels()).containsEntry("sluice.io/run", runId).containsEntry("sluice.io/attempt", "2");
        assertThat(cluster.client().resourceQuotas().inNamespace(namespace).withName("sluice-run").get()
                .getSpec().getHard().get("requests.cpu").toString()).isEqualTo("1000m");
        assertThat(cluster.deletedNamespaces()).contains(namespace);
        assertThat(cluster.client().namespaces().withName(namespace).get()).isNull();
    }

    @Test
    void aTaskThatTimesOutHasItsJobDeletedAndItsPodStopped() throws Exception {
        Path dir = pipeline("""
                id: k8s_slow
                environment: {executor: kubernetes, image: debian:12}
                tasks:
                  - id: hang
                    timeout: 2s
                    run: 'echo started; sleep 300'
                """);

        Result run = sluice("run", dir.toString(), "--json");

        assertThat(run.exit()).isEqualTo(1);
        JsonNode task = run.json().path("tasks").get(0);
        assertThat(task.path("state").asString()).isEqualTo("timed_out");
        String runId = run.json().path("id").asString();
        assertThat(sluice("logs", runId, "hang").out()).contains("timed out after 2s: deleting its Job");
        assertThat(cluster.client().batch().v1().jobs().inNamespace("sluice-" + runId).withName("hang-1").get()).isNull();
        await().atMost(Duration.ofSeconds(30)).until(() -> !cluster.anyPodRunning());
        assertThat(sluice("why", runId).out()).contains("hang", "Too slow");
    }

    @Test
    void tasksWaitForCapacityOnTheClusterInsteadOfPilingUpPendingPods() throws Exception {
        cluster.client().nodes().withName("node-1").delete();
        cluster.addNode("small", "1", "1Gi");
        Path dir = pipeline("""
                id: k8s_wide
                environment: {executor: kubernetes, image: debian:12}
                defaults: {resources: {cpus: 1, memory: 256MiB}}
                tasks:
                  - {id: a, run: 'sleep 1; echo a'}
                  - {id: b, run: 'sleep 1; echo b'}
                """);

        Result run = sluice("run", dir.toString(), "--json");

        assertThat(run.exit()).as(run.out()).isZero();
        List<TransitionRecord> transitions = taskTransitions(run.json().path("id").asString());
        assertThat(transitions).anySatisfy(t -> assertThat(t.cause()).contains("waiting for capacity"));
    }

    @Test
    void cancellingARunDeletesItsRunningJobAndStopsItsPodBeforeTheNamespaceGoes() throws Exception {
        Path dir = pipeline("""
                id: k8s_cancel
                environment: {executor: kubernetes, image: debian:12}
                tasks:
                  - {id: long, run: 'echo working; sleep 300'}
                """);
        ProcessBuilder pb = new ProcessBuilder(SluiceServerProcess.sluice().toString(), "--home", home.toString(), "run", dir.toString())
                .redirectOutput(tmp.resolve("cancel.txt").toFile()).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        Process driver = pb.start();
        await().atMost(Duration.ofSeconds(60)).until(cluster::anyPodRunning);
        String namespace = cluster.client().namespaces().withLabel("sluice.io/run").list().getItems().get(0).getMetadata().getName();

        driver.destroy(); // SIGTERM: as Ctrl-C, the run is cancelled
        assertThat(driver.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(driver.exitValue()).isEqualTo(1);
        assertThat(cluster.anyPodRunning()).isFalse();
        assertThat(cluster.client().batch().v1().jobs().inNamespace(namespace).withName("long-1").get()).isNull();
        assertThat(cluster.deletedNamespaces()).contains(namespace);
        String runId = namespace.substring("sluice-".length());
        assertThat(sluice("status", "--run", runId, "--json").json().get("runs").get(0).get("state").asString()).isEqualTo("cancelled");
    }

    @Test
    void aFailingContainerFailsItsTaskWithItsExitStatusAndWhyShowsThePlaybook() throws Exception {
        Path dir = pipeline("""
                id: k8s_broken
                environment: {executor: kubernetes, image: debian:12}
                tasks:
                  - {id: load, run: 'echo "connection refused" >&2; exit 7'}
                  - {id: report, needs: [load], run: 'true'}
                """);

        Result run = sluice("run", dir.toString(), "--json");

        assertThat(run.exit()).isEqualTo(1);
        JsonNode tasks = run.json().path("tasks");
        assertThat(tasks.get(0).path("exit_code").asInt()).isEqualTo(7);
        assertThat(tasks.get(1).path("state").asString()).isEqualTo("upstream_failed");
        assertThat(sluice("why", run.json().path("id").asString()).out()).contains("connection refused", "Any failure");
    }

    @Test
    void cleanupFindsAndDeletesTheNamespaceOfARunWhoseSluiceDied() throws Exception {
        Path dir = pipeline("""
                id: k8s_crash
                environment: {executor: kubernetes, image: debian:12}
                tasks:
                  - {id: long, run: 'sleep 300'}
                """);
        ProcessBuilder pb = new ProcessBuilder(SluiceServerProcess.sluice().toString(), "--home", home.toString(), "run", dir.toString())
                .redirectOutput(tmp.resolve("crash.txt").toFile()).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        Process driver = pb.start();
        await().atMost(Duration.ofSeconds(60)).until(cluster::anyPodRunning);
        driver.toHandle().destroyForcibly();
        driver.waitFor();
        String namespace = cluster.client().namespaces().withLabel("sluice.io/run").list().getItems().get(0).getMetadata().getName();

        Result list = sluice("cleanup");
        assertThat(list.out()).contains("kubernetes", namespace);
        Result apply = sluice("cleanup", "--apply");

        assertThat(apply.exit()).isZero();
        assertThat(apply.out()).contains("deleted namespace " + namespace);
        assertThat(cluster.client().namespaces().withName(namespace).get()).isNull();
        assertThat(sluice("cleanup").out()).doesNotContain(namespace);
    }

    @Test
    void aServerKilledMidTaskFollowsThatTasksJobAgainAfterARestartInsteadOfStartingItTwice() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        Path dir = ServerIT.writePipeline(tmp, "k8s_resume", """
                id: k8s_resume
                env: {MARKS: %s}
                environment: {executor: kubernetes, image: debian:12}
                tasks:
                  - {id: slow, run: 'echo started >> "$MARKS/slow"; while [ ! -f "$MARKS/go" ]; do sleep 0.1; done; echo finished'}
                  - {id: after, needs: [slow], run: 'echo after'}
                tests: [{name: quick, env: {MARKS: "."}, expect: {state: succeeded}}]
                """.formatted(marks), ServerIT.PLAYBOOK);
        Files.writeString(dir.resolve("go"), "");
        Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());
        int port = SluiceServerProcess.freePort();
        CliRunner cli = new CliRunner(home);
        String runId;
        SluiceServerProcess first = SluiceServerProcess.start(home, port, env);
        try {
            CliRunner.Result deploy = cli.run("deploy", dir.toString());
            assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();
            runId = cli.run("run", "k8s_resume", "--detach", "--json").json().get("id").asString();
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(marks.resolve("slow")));
        } finally {
            first.kill();
        }
        try (SluiceServerProcess second = SluiceServerProcess.start(home, port, env)) {
            Files.writeString(marks.resolve("go"), "");
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    cli.run("status", "--run", runId, "--json").json().get("runs").get(0).get("state").asString().equals("succeeded"));
        }
        JsonNode run = cli.run("status", "--run", runId, "--json").json().get("runs").get(0);
        assertThat(run.get("tasks").get(0).get("attempts").asInt()).isEqualTo(1);
        assertThat(Files.readAllLines(marks.resolve("slow"))).containsExactly("started");
        assertThat(cluster.client().batch().v1().jobs().inNamespace("sluice-" + runId).list().getItems())
                .extracting(j -> j.getMetadata().getName()).containsExactlyInAnyOrder("slow-1", "after-1");
        assertThat(cluster.deletedNamespaces()).contains("sluice-" + runId);
    }
}
