package io.sluice.engine;

import io.sluice.definition.Resources;
import io.sluice.kubernetes.ClusterCapacity;
import io.sluice.kubernetes.Clusters;
import io.sluice.kubernetes.KubernetesException;
import io.sluice.run.WaitReason;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission for runs whose tasks run on Kubernetes: pool slots from the server's admission, as for
 * any run; capacity from the cluster, asked before each start (SPEC lesson 2: work waits for
 * capacity instead of piling pending pods onto a full cluster). Tasks this process admitted whose
 * pods the cluster may not show yet count as reserved for a few seconds. While anything waits,
 * the cluster is asked again every two seconds.
 */
final class ClusterAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAdmission.class);
    private static final long SNAPSHOT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long RESERVED_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The decider plans with this; the cluster, not the server's budget, bounds these tasks. */
    private static final Resources UNBOUNDED = new Resources(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
    private static ClusterAdmission shared;

    private record Reservation(Resources need, long atNanos) {
    }

    private final ClusterCapacity capacity;
    private final Map<String, Reservation> reserved = new ConcurrentHashMap<>();
    private final Map<String, Runnable> waiters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;
    private ClusterCapacity.Snapshot snapshot;
    private long snapshotAt;
    private boolean warned;

    private ClusterAdmission(ClusterCapacity capacity) {
        this.capacity = capacity;
        this.poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sluice-cluster-capacity").factory());
        poller.scheduleWithFixedDelay(this::wakeWaiters, 2, 2, TimeUnit.SECONDS);
    }

    /** The cluster's side, one per Sluice process; {@code pools} is the admission the run has anyway. */
    static Admission around(Admission pools) {
        synchronized (ClusterAdmission.class) {
            if (shared == null) {
                shared = new ClusterAdmission(new ClusterCapacity(Clusters.client()));
            }
        }
        return shared.forPools(pools);
    }

    private Admission forPools(Admission pools) {
        ClusterAdmission cluster = this;
        return new Admission() {
            @Override
            public Resources capacityFor(String runId, Resources held) {
                return UNBOUNDED;
            }

            @Override
            public Optional<WaitReason> acquire(String runId, String task, Resources need, Optional<String> pool, int priority) {
                Optional<WaitReason> slot = pools.acquire(runId, task, Resources.NONE, pool, priority);
                if (slot.isPresent()) {
                    return slot;
                }
                if (!cluster.take(runId + "/" + task, need)) {
                    pools.release(runId, task, Resources.NONE, pool);
                    return Optional.of(WaitReason.CAPACITY);
                }
                return Optional.empty();
            }

            @Override
            public void adopt(String runId, String task, Resources need, Optional<String> pool) {
                pools.adopt(runId, task, Resources.NONE, pool);
            }

            @Override
            public void release(String runId, String task, Resources need, Optional<String> pool) {
                cluster.reserved.remove(runId + "/" + task);
                pools.release(runId, task, Resources.NONE, pool);
                cluster.wakeWaiters();
            }

            @Override
            public void onFree(String runId, Runnable wake) {
                pools.onFree(runId, wake);
                cluster.waiters.put(runId, wake);
            }

            @Override
            public void forget(String runId) {
                pools.forget(runId);
                cluster.waiters.remove(runId);
                cluster.reserved.keySet().removeIf(k -> k.startsWith(runId + "/"));
            }
        };
    }

    /** Whether {@code need} fits on the cluster now; if so, it is reserved until the cluster shows its pod. */
    private synchronized boolean take(String key, Resources need) {
        long now = System.nanoTime();
        reserved.values().removeIf(r -> now - r.atNanos() > RESERVED_NANOS);
        try {
            if (snapshot == null || now - snapshotAt > SNAPSHOT_NANOS) {
                snapshot = capacity.snapshot();
                snapshotAt = now;
            }
        } catch (KubernetesException e) {
            // the Job's creation will fail with the cluster's own message, which says more than a wait would
            if (!warned) {
                LOG.warn("{}; starting tasks without asking", e.getMessage());
                warned = true;
            }
            return true;
        }
        Resources held = reserved.values().stream().map(Reservation::need).reduce(Resources.NONE, Resources::plus);
        if (!snapshot.fits(need, held)) {
            return false;
        }
        reserved.put(key, new Reservation(need, now));
        return true;
    }

    private void wakeWaiters() {
        waiters.values().forEach(Runnable::run);
    }
}
