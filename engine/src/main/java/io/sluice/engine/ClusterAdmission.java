package io.sluice.engine;

import io.sluice.definition.Resources;
import io.sluice.kubernetes.ClusterCapacity;
import io.sluice.kubernetes.Clusters;
import io.sluice.run.WaitReason;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * pods the cluster may not show yet count as reserved for a few seconds. An answer serves for a
 * second; it is fetched without holding the lock that all runs share. While tasks wait, a thread
 * of its own asks every second and a half and lets the waiting runs look again.
 */
final class ClusterAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAdmission.class);
    private static final long RESERVED_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How long an answer of the cluster serves before it is asked again. */
    private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The decider plans with this; the cluster, not the server's budget, bounds these tasks. */
    private static final Resources UNBOUNDED = new Resources(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
    private static ClusterAdmission shared;

    private record Reservation(Resources need, long atNanos) {
    }

    private final ClusterCapacity capacity;
    private final Map<String, Reservation> reserved = new ConcurrentHashMap<>();
    private final Map<String, Runnable> waiters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;
    private volatile ClusterCapacity.Snapshot snapshot;
    private volatile long snapshotAt;
    private volatile boolean unknown;
    /** Tasks ("run/task") waiting for room on the cluster. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private boolean warned;

    private ClusterAdmission(ClusterCapacity capacity) {
        this.capacity = capacity;
        this.poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sluice-cluster-capacity").factory());
        poller.scheduleWithFixedDelay(this::refresh, 0, 1500, TimeUnit.MILLISECONDS);
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
                    cluster.waiting.add(runId + "/" + task);
                    return Optional.of(WaitReason.CAPACITY);
                }
                cluster.waiting.remove(runId + "/" + task);
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
                cluster.waiting.removeIf(k -> k.startsWith(runId + "/"));
                cluster.reserved.keySet().removeIf(k -> k.startsWith(runId + "/"));
            }
        };
    }

    /** Asks the cluster what is free, when some run cares, and lets the waiting runs look again. */
    private void refresh() {
        if (waiting.isEmpty()) {
            return;
        }
        fetch();
        wakeWaiters();
    }

    private void fetch() {
        try {
            snapshot = capacity.snapshot();
            snapshotAt = System.nanoTime();
            unknown = false;
        } catch (RuntimeException e) {
            // the Job's creation will fail with the cluster's own message, which says more than a wait would
            unknown = true;
            synchronized (this) {
                if (!warned) {
                    LOG.warn("cannot ask the cluster for free capacity ({}); starting tasks without asking", e.getMessage());
                    warned = true;
                }
            }
        }
    }

    /** Whether {@code need} fits on the cluster, as last seen; if so, it is reserved until the cluster shows its pod. */
    private boolean take(String key, Resources need) {
        if (snapshot == null || System.nanoTime() - snapshotAt > FRESH_NANOS) {
            fetch();
        }
        return takeFromSnapshot(key, need);
    }

    private synchronized boolean takeFromSnapshot(String key, Resources need) {
        long now = System.nanoTime();
        reserved.values().removeIf(r -> now - r.atNanos() > RESERVED_NANOS);
        ClusterCapacity.Snapshot seen = snapshot;
        if (unknown) {
            return true;
        }
        if (seen == null) {
            return true; // never answered, never refused: as when it cannot be asked
        }
        Resources held = reserved.values().stream().map(Reservation::need).reduce(Resources.NONE, Resources::plus);
        if (!seen.fits(need, held)) {
            return false;
        }
        reserved.put(key, new Reservation(need, now));
        return true;
    }

    private void wakeWaiters() {
        waiters.values().forEach(Runnable::run);
    }
}
