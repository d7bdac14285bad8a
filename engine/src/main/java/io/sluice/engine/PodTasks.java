package io.sluice.engine;

import io.sluice.definition.Pipeline;
import io.sluice.definition.PipelineDirectory;
import io.sluice.definition.Resources;
import io.sluice.definition.Task;
import io.sluice.executor.TaskProcess;
import io.sluice.kubernetes.Clusters;
import io.sluice.kubernetes.KubernetesRun;
import io.sluice.kubernetes.PodTask;
import io.sluice.kubernetes.RunPlace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A run's tasks as Jobs in the run's own namespace ({@code environment.executor: kubernetes}).
 * The run's setup and teardown stay on Sluice's machine, where they can provision things and
 * write {@code $SLUICE_ENV}; they find the namespace in {@code SLUICE_K8S_NAMESPACE}.
 */
final class PodTasks {
    private final KubernetesRun cluster;
    private final Set<String> secrets;

    private PodTasks(KubernetesRun cluster, Set<String> secrets) {
        this.cluster = cluster;
        this.secrets = secrets;
    }

    static PodTasks of(RunSpec spec, String runId, Map<String, String> processEnvironment) throws IOException {
        if (!Clusters.configured(processEnvironment)) {
            throw new io.sluice.kubernetes.KubernetesException("no Kubernetes cluster is configured: set KUBECONFIG, or write ~/.kube/config");
        }
        Pipeline pipeline = spec.pipeline();
        Resources quota = Resources.NONE;
        for (Task task : pipeline.tasks()) {
            if (spec.onlyTasks().map(only -> only.contains(task.id())).orElse(true)) {
                quota = quota.plus(io.sluice.kubernetes.JobSpecs.requested(pipeline.defaults().resourcesOf(task)));
            }
        }
        Map<String, String> secretValues = new LinkedHashMap<>();
        for (String name : pipeline.secrets()) {
            Optional.ofNullable(processEnvironment.get("SLUICE_SECRET_" + name)).ifPresent(v -> secretValues.put(name, v));
        }
        RunPlace place = new RunPlace(pipeline.id(), runId, pipeline.environment().image().orElseThrow(), files(spec.files()), quota, secretValues);
        return new PodTasks(new KubernetesRun(Clusters.client(), place), secretValues.keySet());
    }

    private static List<RunPlace.ShippedFile> files(PipelineDirectory directory) throws IOException {
        List<RunPlace.ShippedFile> files = new ArrayList<>();
        for (PipelineDirectory.PipelineFile f : directory.files()) {
            files.add(new RunPlace.ShippedFile(f.path(), Files.readAllBytes(f.source()), f.executable()));
        }
        return files;
    }

    String namespace() {
        return cluster.namespace();
    }

    /** Makes the namespace (or finds it, after a restart); throws {@link io.sluice.kubernetes.KubernetesException} with one line. */
    void open() {
        cluster.open();
    }

    TaskProcess start(LiveTask task, int attempt, Map<String, String> environment, Path log) {
        Optional<Duration> deadline = task.timeout;
        return cluster.start(new PodTask(task.id, attempt, task.command, environment, secrets, task.resources, deadline, log));
    }

    TaskProcess adopt(String task, int attempt, Path log) {
        return cluster.adopt(task, attempt, log);
    }

    void terminate(TaskProcess process) {
        cluster.terminate(process);
    }

    /** Deletes the Job of an attempt that was being stopped when Sluice died. */
    void deleteJob(String task, int attempt) {
        cluster.deleteJob(task, attempt);
    }

    /** Stops following the run's Jobs, touching nothing: another Sluice process drives the run now. */
    void detach() {
        cluster.detach();
    }

    void close() {
        cluster.close();
    }
}
