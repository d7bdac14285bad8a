package io.sluice.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.sluice.executor.LocalExecutor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task attempt's Job, followed to its end: the pod's log streamed into the attempt's log as
 * soon as its container runs, and the exit status of its container once it ends. A Job deleted
 * by Sluice (cancel, timeout) ends with 143, as a process stopped by SIGTERM does locally, once
 * its pod is gone (foreground deletion), so that what it held is free when Sluice counts it free.
 */
final class PodAttempt {
    private static final Logger LOG = LoggerFactory.getLogger(PodAttempt.class);
    /** Waiting reasons that no amount of waiting fixes: the attempt fails at once and says why. */
    private static final Set<String> HOPELESS = Set.of("ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError",
            "CreateContainerError", "ErrImageNeverPull");
    static final int STOPPED = 143;
    /**
     * How long a pod may take to start its container. Sluice creates a Job only once the cluster
     * has room, so a pod pending longer is stuck (unschedulable, refused by an admission policy).
     */
    static final java.time.Duration STARTUP = java.time.Duration.ofMinutes(5);
    static final int CANNOT_START = 125;

    private final KubernetesClient client;
    private final String namespace;
    private final String job;
    private final Path log;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final CompletableFuture<Void> logDone = new CompletableFuture<>();
    private volatile boolean stopping;
    /** Another Sluice process follows the attempt now: this one touches nothing more. */
    private volatile boolean detached;
    /** Set once the container has been seen running or ended: its log is being opened or streamed. */
    private boolean logOpened;
    private volatile LogWatch logWatch;
    private volatile OutputStream logFile;
    private final java.util.concurrent.atomic.AtomicBoolean logsClosed = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean ending;
    /** Why the pod has not started yet, as the cluster last said. */
    private String pendingReason;
    /** The attempt's pod, once seen. */
    private String podName;
    /** Its container has been seen running or ended. */
    private boolean containerStarted;
    /** Looks at the Job and its pod now and reports what it finds to this attempt (the safety net under the informers). */
    private Runnable lookAgain = () -> { };
    private static final java.util.concurrent.Executor AFTERWARDS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    /** Taken over after a restart: the pod's log is streamed again from its start, so the file starts afresh. */
    private final boolean adopted;

    PodAttempt(KubernetesClient client, String namespace, String job, Path log, boolean adopted) {
        this.client = client;
        this.namespace = namespace;
        this.job = job;
        this.log = log;
        this.adopted = adopted;
    }

    CompletableFuture<Integer> exit() {
        return exit;
    }

    PodAttempt lookingAgainWith(Runnable value) {
        this.lookAgain = value;
        return this;
    }

    String job() {
        return job;
    }

    boolean stopping() {
        return stopping;
    }

    /** Fails the attempt if its container has not started within {@link #STARTUP}. */
    void watchStartup(java.time.Duration within) {
        CompletableFuture.delayedExecutor(within.toMillis(), TimeUnit.MILLISECONDS).execute(this::startupOver);
    }

    /** The startup time is over: looks once more (the informers may have missed it), then fails the attempt if its container never ran. */
    private void startupOver() {
        if (detached) {
            return;
        }
        lookAgain.run();
        synchronized (this) {
            if (ending || containerStarted || detached) {
                return;
            }
            end(CANNOT_START, "sluice: the pod did not start its container in time"
                    + (pendingReason == null ? "" : ": " + pendingReason) + "; its Job is deleted");
        }
        deleteJob();
    }

    synchronized void podChanged(Pod pod) {
        if (ending) {
            return;
        }
        podName = pod.getMetadata().getName();
        ContainerStatus status = containerStatus(pod).orElse(null);
        if (status != null && status.getState() != null) {
            if (status.getState().getRunning() != null || status.getState().getTerminated() != null) {
                containerStarted = true;
                followLog(pod.getMetadata().getName());
            }
            ContainerStateTerminated terminated = status.getState().getTerminated();
            if (terminated != null) {
                String why = terminated.getReason() != null && !terminated.getReason().equals("Completed") && !terminated.getReason().equals("Error")
                        ? "sluice: the container was stopped: " + terminated.getReason() + Optional.ofNullable(terminated.getMessage()).map(m -> ": " + m).orElse("")
                        : null;
                end(terminated.getExitCode() == null ? LocalExecutor.LOST : terminated.getExitCode(), why);
                return;
            }
            ContainerStateWaiting waiting = status.getState().getWaiting();
            if (waiting != null && waiting.getReason() != null) {
                pendingReason = waiting.getReason() + Optional.ofNullable(waiting.getMessage()).map(m -> " (" + m + ")").orElse("");
            }
            if (waiting != null && HOPELESS.contains(waiting.getReason())) {
                end(CANNOT_START, "sluice: the pod cannot start: " + waiting.getReason()
                        + Optional.ofNullable(waiting.getMessage()).map(m -> ": " + m).orElse(""));
                deleteJob();
                return;
            }
        }
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
                    .findFirst().ifPresent(c -> pendingReason = c.getReason() + Optional.ofNullable(c.getMessage()).map(m -> " (" + m + ")").orElse(""));
        }
        if ("Failed".equals(phase(pod)) && status == null) {
            // evicted, or refused by the node, before its container ever ran
            end(LocalExecutor.LOST, "sluice: the pod failed: " + Optional.ofNullable(pod.getStatus().getReason()).orElse("")
                    + Optional.ofNullable(pod.getStatus().getMessage()).map(m -> ": " + m).orElse(""));
        }
    }

    boolean ended() {
        return exit.isDone();
    }

    /** Stops following: no more deletions or ends from this process; the log stream is closed. */
    void detach() {
        detached = true;
        closeLogs();
    }

    synchronized void podDeleted(Pod pod) {
        podChanged(pod);
        if (!ending) {
            end(stopping ? STOPPED : LocalExecutor.LOST, stopping ? null : "sluice: the pod " + pod.getMetadata().getName() + " was deleted before its container ended");
        }
    }

    synchronized void jobChanged(Job j) {
        if (ending || j.getStatus() == null || j.getStatus().getConditions() == null) {
            return;
        }
        for (JobCondition c : j.getStatus().getConditions()) {
            if ("Failed".equals(c.getType()) && "True".equals(c.getStatus()) && "DeadlineExceeded".equals(c.getReason())) {
                end(124, "sluice: the Job passed its activeDeadlineSeconds: " + Optional.ofNullable(c.getMessage()).orElse(""));
                return;
            }
            if ("Failed".equals(c.getType()) && "True".equals(c.getStatus())) {
                // usually its pod's end says more (its exit status) and comes at the same time: give it a moment
                String why = "sluice: the Job failed: " + c.getReason() + Optional.ofNullable(c.getMessage()).map(m -> ": " + m).orElse("");
                CompletableFuture.delayedExecutor(15, TimeUnit.SECONDS).execute(() -> {
                    synchronized (this) {
                        if (!ending) {
                            end(LocalExecutor.LOST, why);
                        }
                    }
                });
                return;
            }
        }
    }

    synchronized void jobDeleted() {
        if (ending) {
            return;
        }
        if (podName != null) {
            // its pod may still be stopping: the attempt ends when the pod does (or, failing any news, after a while)
            CompletableFuture.delayedExecutor(JobSpecs.GRACE_SECONDS + 30, TimeUnit.SECONDS).execute(this::podNeverEnded);
            return;
        }
        end(stopping ? STOPPED : LocalExecutor.LOST, stopping ? null : "sluice: the Job " + job + " is gone (deleted outside Sluice?)");
    }

    private synchronized void podNeverEnded() {
        if (!ending) {
            end(stopping ? STOPPED : LocalExecutor.LOST, "sluice: no news of pod " + podName + " after its Job was deleted");
        }
    }

    /**
     * Deletes the Job; the end is seen when the Job or its pod goes. Should no news come (the API
     * server did not answer, the pod's node is gone), the attempt ends anyway after the grace period
     * and a minute, and the safety net keeps deleting the Job while it exists.
     */
    void stop() {
        stopping = true;
        deleteJob();
        CompletableFuture.delayedExecutor(JobSpecs.GRACE_SECONDS + 60, TimeUnit.SECONDS).execute(() -> {
            synchronized (this) {
                if (!ending) {
                    end(STOPPED, "sluice: its Job was deleted, but its pod was not seen to end (kubectl -n " + namespace
                            + " get pods -l job-name=" + job + ")");
                }
            }
        });
    }

    private void deleteJob() {
        if (detached) {
            return;
        }
        Thread.ofVirtual().name("sluice-k8s-delete-" + job).start(this::deleteJobNow);
    }

    /** Asks for the Job's deletion (foreground: the Job goes once its pod has); a Job already gone ends the attempt. */
    void deleteJobNow() {
        try {
            client.batch().v1().jobs().inNamespace(namespace).withName(job)
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND)
                    .withGracePeriod(JobSpecs.GRACE_SECONDS).delete();
            if (client.batch().v1().jobs().inNamespace(namespace).withName(job).get() == null) {
                jobDeleted();
            }
        } catch (KubernetesClientException e) {
            LOG.warn("cannot delete Job {} in {}: {}", job, namespace, Clusters.reason(e));
        }
    }

    /** Starts streaming the container's log, on a thread of its own: no request is made under this object's lock. */
    private void followLog(String pod) {
        if (logOpened) {
            return;
        }
        logOpened = true;
        Thread.ofVirtual().name("sluice-k8s-log-" + job).start(() -> {
            try {
                Files.createDirectories(log.getParent());
                logFile = adopted ? Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
                        : Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                LogWatch watch = client.pods().inNamespace(namespace).withName(pod).inContainer(JobSpecs.CONTAINER).watchLog(logFile);
                logWatch = watch;
                watch.onClose().whenComplete((error, e) -> logDone.complete(null));
                if (logsClosed.get()) {
                    watch.close(); // the attempt ended while the stream was being opened
                }
            } catch (IOException | KubernetesClientException e) {
                LOG.warn("cannot stream the log of pod {} in {}", pod, namespace, e);
                OutputStream file = logFile;
                if (file != null) {
                    try {
                        file.close();
                    } catch (IOException ignored) {
                        // nothing was written through it
                    }
                }
                logDone.complete(null);
            }
        });
    }

    /** Records the end once: after the log stream has delivered what it had (briefly), the exit. */
    private void end(int code, String why) {
        ending = true;
        CompletableFuture<Void> drained = logOpened ? logDone : CompletableFuture.completedFuture(null);
        // never under this object's lock, nor on the JDK's shared timer thread: closing and writing files is I/O
        drained.completeOnTimeout(null, 5, TimeUnit.SECONDS).whenCompleteAsync((v, e) -> {
            closeLogs();
            if (why != null) {
                appendLine(why);
            }
            exit.complete(code);
        }, AFTERWARDS);
    }

    void closeLogs() {
        if (!logsClosed.compareAndSet(false, true)) {
            return;
        }
        LogWatch watch = logWatch;
        if (watch != null) {
            watch.close();
        }
        OutputStream file = logFile;
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // the log is as complete as it got
            }
        }
    }

    private void appendLine(String line) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("cannot write to {}", log, e);
        }
    }

    private static Optional<ContainerStatus> containerStatus(Pod pod) {
        List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
        return statuses == null ? Optional.empty()
                : statuses.stream().filter(s -> JobSpecs.CONTAINER.equals(s.getName())).findFirst();
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }
}
