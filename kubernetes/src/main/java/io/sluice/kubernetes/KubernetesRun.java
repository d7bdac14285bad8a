package io.sluice.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.definition.Resources;
import io.sluice.executor.TaskProcess;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's place on a cluster (SPEC §1, lesson 2): a namespace of its own with a ResourceQuota,
 * its files and secrets, created when the run starts and deleted when it ends; each task attempt
 * a Job in it, followed through informers until its pod ends. Deleting the namespace deletes
 * everything the run made, so nothing of it can outlive the run unnoticed: what a crash leaves
 * behind carries the run's labels, and {@code sluice cleanup} finds it.
 */
public final class KubernetesRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesRun.class);
    static final String FILES = "sluice-files";
    static final String SECRETS = "sluice-secrets";
    static final String QUOTA = "sluice-run";

    private final KubernetesClient client;
    private final RunPlace place;
    private final String namespace;
    private final Map<String, PodAttempt> attempts = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    /** Under the informers, a look at every unfinished attempt now and then: a watch that died unnoticed must not hang a run. */
    private static final ScheduledExecutorService SAFETY_NET = Executors
            .newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sluice-k8s-safety-net").factory());
    private static final long SAFETY_NET_SECONDS = 15;
    private ScheduledFuture<?> safetyNet;

    private java.time.Duration startup = PodAttempt.STARTUP;

    public KubernetesRun(KubernetesClient client, RunPlace place) {
        this.client = client;
        this.place = place;
        this.namespace = Labels.namespaceOf(place.runId());
    }

    /** How long a pod may take to start its container before its attempt fails (tests shorten it). */
    KubernetesRun startupWithin(java.time.Duration value) {
        this.startup = value;
        return this;
    }

    public String namespace() {
        return namespace;
    }

    /**
     * Creates the namespace, its quota, files and secrets, or finds them made already (a restart
     * taking the run over), and starts following the run's Jobs and pods.
     */
    public synchronized void open() {
        if (safetyNet != null) {
            return; // made and followed already (a restart finding its workspace gone opens twice)
        }
        if (place.filesBytes() > RunPlace.MAX_FILES_BYTES) {
            throw new KubernetesException("the pipeline's files take " + place.filesBytes() / 1024 + " KiB, more than a ConfigMap holds ("
                    + RunPlace.MAX_FILES_BYTES / 1024 + " KiB): build them into the image instead");
        }
        try {
            awaitEarlierNamespaceGone();
            Map<String, String> labels = Labels.ofRun(place.pipeline(), place.runId());
            createIfAbsent(() -> client.namespaces().resource(new NamespaceBuilder()
                    .withNewMetadata().withName(namespace).withLabels(labels).endMetadata().build()).create());
            createIfAbsent(() -> client.resourceQuotas().inNamespace(namespace).resource(new ResourceQuotaBuilder()
                    .withNewMetadata().withName(QUOTA).withLabels(labels).endMetadata()
                    .withNewSpec().withHard(quota(place.quota())).endSpec().build()).create());
            Map<String, String> binary = new LinkedHashMap<>();
            for (int i = 0; i < place.files().size(); i++) {
                binary.put(fileKey(i), Base64.getEncoder().encodeToString(place.files().get(i).content()));
            }
            createIfAbsent(() -> client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(FILES).withLabels(labels).endMetadata().withBinaryData(binary).build()).create());
            Map<String, String> secretData = new LinkedHashMap<>();
            place.secrets().forEach((k, v) -> secretData.put(k, Base64.getEncoder().encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            createIfAbsent(() -> client.secrets().inNamespace(namespace).resource(new SecretBuilder()
                    .withNewMetadata().withName(SECRETS).withLabels(labels).endMetadata().withData(secretData).build()).create());
            follow();
            safetyNet = SAFETY_NET.scheduleWithFixedDelay(this::lookAtAll, SAFETY_NET_SECONDS, SAFETY_NET_SECONDS,
                    TimeUnit.SECONDS);
        } catch (KubernetesClientException e) {
            throw new KubernetesException("cannot prepare namespace " + namespace + " on " + Clusters.describe(client) + ": " + Clusters.reason(e), e);
        }
    }

    /**
     * A cleared run starts a new round in a namespace of the same name; the last round's may still
     * be terminating, and a terminating namespace refuses new objects: wait (up to two minutes).
     */
    private void awaitEarlierNamespaceGone() {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            var existing = client.namespaces().withName(namespace).get();
            if (existing == null || existing.getStatus() == null || !"Terminating".equals(existing.getStatus().getPhase())) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        }
        throw new KubernetesException("namespace " + namespace + " of this run's last round is still being deleted after two minutes");
    }

    private static void createIfAbsent(Runnable create) {
        try {
            create.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    static String fileKey(int index) {
        return "f" + index;
    }

    static Map<String, Quantity> quota(Resources r) {
        Map<String, Quantity> hard = new LinkedHashMap<>();
        hard.put("requests.cpu", Quantities.cpu(r.milliCpus()));
        hard.put("requests.memory", Quantities.memory(r.memoryBytes()));
        hard.put("limits.cpu", Quantities.cpu(r.milliCpus()));
        hard.put("limits.memory", Quantities.memory(r.memoryBytes()));
        return hard;
    }

    /** Informers on the run's Jobs and pods: each change goes to the attempt it belongs to. */
    private void follow() {
        informers.add(client.pods().inNamespace(namespace).withLabel(Labels.MANAGED_BY, Labels.SLUICE).inform(new Handler<>() {
            @Override
            void changed(Pod pod) {
                attemptOf(pod.getMetadata().getLabels()).ifPresent(a -> a.podChanged(pod));
            }

            @Override
            void deleted(Pod pod) {
                attemptOf(pod.getMetadata().getLabels()).ifPresent(a -> a.podDeleted(pod));
            }
        }, 30_000));
        informers.add(client.batch().v1().jobs().inNamespace(namespace).withLabel(Labels.MANAGED_BY, Labels.SLUICE).inform(new Handler<>() {
            @Override
            void changed(Job job) {
                Optional.ofNullable(attempts.get(job.getMetadata().getName())).ifPresent(a -> a.jobChanged(job));
            }

            @Override
            void deleted(Job job) {
                Optional.ofNullable(attempts.get(job.getMetadata().getName())).ifPresent(PodAttempt::jobDeleted);
            }
        }, 30_000));
    }

    private Optional<PodAttempt> attemptOf(Map<String, String> labels) {
        if (labels == null || labels.get(Labels.TASK) == null || labels.get(Labels.ATTEMPT) == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(attempts.get(Labels.jobName(labels.get(Labels.TASK), Integer.parseInt(labels.get(Labels.ATTEMPT)))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void lookAtAll() {
        for (PodAttempt a : attempts.values()) {
            try {
                if (!a.ended()) {
                    lookAgainNow(a);
                } else if (a.stopping() && client.batch().v1().jobs().inNamespace(namespace).withName(a.job()).get() != null) {
                    a.deleteJobNow(); // its deletion was asked for and has not happened: ask again
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot look at Job {} in {}: {}", a.job(), namespace, e.getMessage());
            }
        }
    }

    /** Deletes the Job of an attempt that was being stopped when Sluice died (a timeout, a cancel, a retry). */
    public void deleteJob(String task, int attempt) {
        String name = Labels.jobName(task, attempt);
        try {
            client.batch().v1().jobs().inNamespace(namespace).withName(name)
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND)
                    .withGracePeriod(JobSpecs.GRACE_SECONDS).delete();
        } catch (KubernetesClientException e) {
            throw new KubernetesException("cannot delete Job " + name + " in " + namespace + ": " + Clusters.reason(e), e);
        }
    }

    /** Starts the attempt as a Job (or takes over the Job of that name, made before a restart). */
    public TaskProcess start(PodTask task) {
        String name = Labels.jobName(task.task(), task.attempt());
        PodAttempt attempt = new PodAttempt(client, namespace, name, task.log(), false);
        attempt.lookingAgainWith(() -> lookAgainNow(attempt));
        attempts.put(name, attempt);
        Job job = JobSpecs.job(place, name, task);
        try {
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                attempts.remove(name);
                throw new KubernetesException("cannot create Job " + name + " in " + namespace + ": " + Clusters.reason(e), e);
            }
        }
        recheck(attempt, name);
        attempt.watchStartup(startup);
        return TaskProcess.remote(name, attempt.exit());
    }

    /**
     * Follows the Job of an attempt started before a restart; if the Job is gone (the namespace was
     * deleted, or someone removed it), the attempt ends as lost.
     */
    public TaskProcess adopt(String task, int attempt, java.nio.file.Path log) {
        String name = Labels.jobName(task, attempt);
        PodAttempt followed = new PodAttempt(client, namespace, name, log, true);
        followed.lookingAgainWith(() -> lookAgainNow(followed));
        attempts.put(name, followed);
        recheck(followed, name);
        followed.watchStartup(startup);
        return TaskProcess.remote(name, followed.exit());
    }

    /** Looks at the Job and its pod now, in case their last change came before the attempt was registered. */
    private void recheck(PodAttempt attempt, String name) {
        Thread.ofVirtual().name("sluice-k8s-" + name).start(() -> lookAgainNow(attempt));
    }

    private void lookAgainNow(PodAttempt attempt) {
        try {
            Job job = client.batch().v1().jobs().inNamespace(namespace).withName(attempt.job()).get();
            if (job == null) {
                attempt.jobDeleted();
                return;
            }
            attempt.jobChanged(job);
            client.pods().inNamespace(namespace).withLabel("job-name", attempt.job()).list().getItems().forEach(attempt::podChanged);
        } catch (KubernetesClientException e) {
            LOG.warn("cannot look at Job {} in {}: {}", attempt.job(), namespace, Clusters.reason(e));
        }
    }

    /** Stops the attempt: deletes its Job, so its pod gets SIGTERM and, after its grace period, SIGKILL. */
    public void terminate(TaskProcess process) {
        PodAttempt attempt = attempts.get(process.marker());
        if (attempt != null) {
            attempt.stop();
        }
    }

    /**
     * Stops following the run's Jobs and leaves everything as it is: another Sluice process drives
     * the run now (or will, after this one's restart).
     */
    public synchronized void detach() {
        if (safetyNet != null) {
            safetyNet.cancel(false);
        }
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
        attempts.values().forEach(PodAttempt::detach);
    }

    /** Stops following, then deletes the namespace and everything in it. */
    @Override
    public void close() {
        detach();
        try {
            client.namespaces().withName(namespace).delete();
        } catch (KubernetesClientException e) {
            throw new KubernetesException("cannot delete namespace " + namespace + ": " + Clusters.reason(e) + " (sluice cleanup finds it)", e);
        }
    }

    /** An informer's handler that treats adds and updates alike. */
    private abstract static class Handler<T> implements ResourceEventHandler<T> {
        abstract void changed(T object);

        abstract void deleted(T object);

        @Override
        public void onAdd(T object) {
            changed(object);
        }

        @Override
        public void onUpdate(T before, T after) {
            changed(after);
        }

        @Override
        public void onDelete(T object, boolean finalStateUnknown) {
            deleted(object);
        }
    }

    static List<KeyToPath> items(RunPlace place) {
        List<KeyToPath> items = new ArrayList<>();
        for (int i = 0; i < place.files().size(); i++) {
            RunPlace.ShippedFile f = place.files().get(i);
            items.add(new io.fabric8.kubernetes.api.model.KeyToPathBuilder().withKey(fileKey(i)).withPath(f.path())
                    .withMode(f.executable() ? 0755 : 0644).build());
        }
        return items;
    }
}
