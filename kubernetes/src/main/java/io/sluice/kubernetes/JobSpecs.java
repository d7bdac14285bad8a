package io.sluice.kubernetes;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.sluice.definition.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Job of one task attempt. */
public final class JobSpecs {
    /** Where the pipeline's files are mounted (read-only), and the workspace they are copied into. */
    static final String FILES_DIR = "/sluice/files";
    static final String WORKSPACE = "/workspace";
    static final String CONTAINER = "task";
    /** Seconds between SIGTERM and SIGKILL when the Job is deleted: SPEC §3's grace. */
    static final long GRACE_SECONDS = 10;

    /**
     * Copies the files into a writable workspace (a ConfigMap volume is read-only and made of
     * symlinks, hence -L and the removal of its hidden ..data entries), then runs the command,
     * which comes in an environment variable so that no value is ever pasted into shell text.
     */
    static final String PRELUDE = "set -e; cp -RL " + FILES_DIR + "/. " + WORKSPACE + "/; rm -rf " + WORKSPACE + "/..?*; "
            + "mkdir -p \"$TMPDIR\"; set +e; exec /bin/sh -c \"$SLUICE_TASK_COMMAND\"";

    private JobSpecs() {
    }

    static Job job(RunPlace place, String name, PodTask task) {
        Map<String, String> labels = Labels.ofAttempt(place.pipeline(), place.runId(), task.task(), task.attempt());
        Map<String, Quantity> resources = new LinkedHashMap<>();
        Resources asked = requested(task.resources());
        resources.put("cpu", Quantities.cpu(asked.milliCpus()));
        resources.put("memory", Quantities.memory(asked.memoryBytes()));
        // Sluice times tasks out itself; the deadline is the backstop for when Sluice is down
        Long deadline = task.deadline().map(d -> d.toSeconds() + GRACE_SECONDS + 30).orElse(null);
        return new JobBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec()
                .withBackoffLimit(0) // Sluice retries, as the pipeline declares; Kubernetes must not add its own
                .withActiveDeadlineSeconds(deadline)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(GRACE_SECONDS)
                .withEnableServiceLinks(false)
                .withAutomountServiceAccountToken(false)
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(place.image())
                .withCommand("/bin/sh", "-c", PRELUDE)
                .withWorkingDir(WORKSPACE)
                .withEnv(environment(task))
                .withNewResources().withRequests(resources).withLimits(resources).endResources()
                .addNewVolumeMount().withName("files").withMountPath(FILES_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("files").withNewConfigMap().withName(KubernetesRun.FILES)
                .withItems(KubernetesRun.items(place)).endConfigMap().endVolume()
                .addNewVolume().withName("workspace").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** What a pod asks for: Kubernetes treats a zero request as "unset", so at least 1m CPU and 1 MiB. */
    public static Resources requested(Resources r) {
        return new Resources(Math.max(1, r.milliCpus()), Math.max(1024 * 1024, r.memoryBytes()));
    }

    private static List<EnvVar> environment(PodTask task) {
        List<EnvVar> env = new ArrayList<>();
        task.environment().forEach((k, v) -> {
            if (k.equals("SLUICE_WORKSPACE") || k.equals("TMPDIR") || k.equals("SLUICE_TASK_COMMAND")) {
                return; // the pod's own, below
            }
            if (task.secrets().contains(k)) {
                env.add(new EnvVarBuilder().withName(k).withNewValueFrom().withNewSecretKeyRef(k, KubernetesRun.SECRETS, false)
                        .endValueFrom().build());
            } else {
                env.add(new EnvVar(k, v, null));
            }
        });
        env.add(new EnvVar("SLUICE_WORKSPACE", WORKSPACE, null));
        env.add(new EnvVar("TMPDIR", WORKSPACE + "/.sluice/tmp", null));
        env.add(new EnvVar("SLUICE_TASK_COMMAND", task.command(), null));
        env.sort(java.util.Comparator.comparing(EnvVar::getName));
        return env;
    }
}
