package io.sluice.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.sluice.definition.Resources;
import io.sluice.executor.TaskProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesRunTest {
    @TempDir
    Path tmp;
    FakeCluster cluster;
    KubernetesRun run;

    @BeforeEach
    void start() {
        cluster = FakeCluster.start(tmp.resolve("cluster"));
        RunPlace place = new RunPlace("daily_sales", "0abc1def2ghj", "debian:12",
                List.of(new RunPlace.ShippedFile("bin/hello.sh", "#!/bin/sh\necho \"hello from $SLUICE_TASK\"\n".getBytes(StandardCharsets.UTF_8), true),
                        new RunPlace.ShippedFile("data/orders.csv", "id,amount\n1,5\n".getBytes(StandardCharsets.UTF_8), false)),
                new Resources(3000, 1024L * 1024 * 1024), Map.of("WAREHOUSE_PASSWORD", "s3cret"));
        run = new KubernetesRun(cluster.client(), place);
        run.open();
        opened.add(run);
    }

    private final List<KubernetesRun> opened = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        for (KubernetesRun r : opened) {
            try {
                r.close();
            } catch (KubernetesException alreadyGone) {
                // closed by the test itself
            }
        }
        cluster.close();
    }

    private PodTask task(String id, String command, Optional<Duration> deadline) {
        return new PodTask(id, 1, command, Map.of("SLUICE_TASK", id, "WAREHOUSE_PASSWORD", "s3cret", "REGION", "eu"),
                Set.of("WAREHOUSE_PASSWORD"), new Resources(500, 256L * 1024 * 1024), deadline, tmp.resolve("logs").resolve(id + ".log"));
    }

    @Test
    void aRunGetsItsOwnNamespaceWithAQuotaFromItsTasksResources() {
        assertThat(run.namespace()).isEqualTo("sluice-0abc1def2ghj");
        var ns = cluster.client().namespaces().withName(run.namespace()).get();
        assertThat(ns.getMetadata().getLabels()).containsEntry("sluice.io/run", "0abc1def2ghj").containsEntry("app.kubernetes.io/managed-by", "sluice");
        var quota = cluster.client().resourceQuotas().inNamespace(run.namespace()).withName("sluice-run").get();
        assertThat(quota.getSpec().getHard().get("requests.cpu").toString()).isEqualTo("3000m");
        assertThat(Quantities.bytes(quota.getSpec().getHard().get("limits.memory"))).isEqualTo(1024L * 1024 * 1024);
    }

    @Test
    void aTaskRunsAsAJobWithItsFilesEnvironmentAndLimitsAndItsLogComesBack() throws Exception {
        TaskProcess process = run.start(task("extract_orders",
                "./bin/hello.sh; cat data/orders.csv; echo \"region=$REGION password=$WAREHOUSE_PASSWORD pwd=$(pwd)\"; test -d \"$TMPDIR\"",
                Optional.of(Duration.ofMinutes(5))));
        assertThat(process.gone().get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isZero();
        String log = Files.readString(tmp.resolve("logs/extract_orders.log"));
        assertThat(log).contains("hello from extract_orders", "1,5", "region=eu password=s3cret");
        Job job = cluster.client().batch().v1().jobs().inNamespace(run.namespace()).withName("extract-orders-1").get();
        assertThat(job.getMetadata().getLabels()).containsEntry("sluice.io/run", "0abc1def2ghj")
                .containsEntry("sluice.io/task", "extract_orders").containsEntry("sluice.io/attempt", "1");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(300 + 40);
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("debian:12");
        assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
        assertThat(container.getResources().getLimits()).isEqualTo(container.getResources().getRequests());
        // the secret's value is in the run's Secret, never in the Job
        assertThat(cluster.client().batch().v1().jobs().inNamespace(run.namespace()).withName("extract-orders-1").get().toString())
                .doesNotContain("s3cret");
    }

    @Test
    void aFailingTaskReportsItsContainersExitStatus() throws Exception {
        TaskProcess process = run.start(task("load", "echo broken >&2; exit 3", Optional.empty()));
        assertThat(process.gone().get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isEqualTo(3);
        assertThat(Files.readString(tmp.resolve("logs/load.log"))).contains("broken");
        assertThat(cluster.client().batch().v1().jobs().inNamespace(run.namespace()).withName("load-1").get()
                .getSpec().getActiveDeadlineSeconds()).isNull();
    }

    @Test
    void terminatingAnAttemptDeletesItsJobAndStopsItsPod() throws Exception {
        TaskProcess process = run.start(task("slow", "echo started; sleep 300", Optional.empty()));
        await().atMost(Duration.ofSeconds(20)).until(cluster::anyPodRunning);
        run.terminate(process);
        assertThat(process.gone().get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isEqualTo(143);
        assertThat(cluster.client().batch().v1().jobs().inNamespace(run.namespace()).withName("slow-1").get()).isNull();
        await().atMost(Duration.ofSeconds(20)).until(() -> !cluster.anyPodRunning());
    }

    @Test
    void closingTheRunDeletesItsNamespace() {
        run.close();
        assertThat(cluster.deletedNamespaces()).containsExactly("sluice-0abc1def2ghj");
        assertThat(cluster.client().namespaces().withName("sluice-0abc1def2ghj").get()).isNull();
    }

    @Test
    void anAttemptWhoseJobIsGoneAfterARestartIsLost() throws Exception {
        TaskProcess process = run.adopt("never_started", 2, tmp.resolve("logs/never.log"));
        assertThat(process.gone().get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isEqualTo(-1);
    }

    @Test
    void clusterCapacityIsWhatNodesHaveLessWhatRunningPodsRequest() throws Exception {
        cluster.addNode("node-a", "2", "4Gi");
        ClusterCapacity capacity = new ClusterCapacity(cluster.client());
        Resources oneCpu = new Resources(1000, 256L * 1024 * 1024);
        assertThat(capacity.snapshot().fits(oneCpu, Resources.NONE)).isTrue();
        assertThat(capacity.snapshot().fits(new Resources(3000, 0), Resources.NONE)).isFalse();
        TaskProcess process = run.start(new PodTask("big", 1, "sleep 300", Map.of(), Set.of(), new Resources(1500, 0), Optional.empty(),
                tmp.resolve("logs/big.log")));
        await().atMost(Duration.ofSeconds(20)).until(cluster::anyPodRunning);
        assertThat(capacity.snapshot().fits(oneCpu, Resources.NONE)).isFalse();
        run.terminate(process);
        process.gone().get(30, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> capacity.snapshot().fits(oneCpu, Resources.NONE));
    }

    private KubernetesRun runWithImage(String image) {
        RunPlace place = new RunPlace("daily_sales", "1abc1def2ghj", image, List.of(), new Resources(1000, 1L << 30), Map.of());
        KubernetesRun other = new KubernetesRun(cluster.client(), place).startupWithin(Duration.ofSeconds(2));
        other.open();
        opened.add(other);
        return other;
    }

    @Test
    void anImageThatCannotBePulledFailsTheAttemptAtOnceAndSaysWhy() throws Exception {
        KubernetesRun other = runWithImage("missing/nothing:1");
        TaskProcess process = other.start(task("pull", "true", Optional.empty()));
        assertThat(process.gone().get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isEqualTo(125);
        assertThat(Files.readString(tmp.resolve("logs/pull.log"))).contains("the pod cannot start: ImagePullBackOff", "missing/nothing:1");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                cluster.client().batch().v1().jobs().inNamespace(other.namespace()).withName("pull-1").get() == null);
    }

    @Test
    void aPodThatIsNeverScheduledFailsItsAttemptAfterTheStartupTimeAndSaysWhy() throws Exception {
        KubernetesRun other = runWithImage("unschedulable/app:1");
        TaskProcess process = other.start(task("stuck", "true", Optional.empty()));
        assertThat(process.gone().get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isEqualTo(125);
        assertThat(Files.readString(tmp.resolve("logs/stuck.log"))).contains("did not start its container in time", "Unschedulable");
    }
}
