package io.sluice.engine;

import io.sluice.definition.Resources;
import io.sluice.run.WaitReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server's admission: one budget of CPUs and memory, and named pools, shared by all runs.
 * A task that does not fit waits; waiters are served by priority (higher first), then first
 * come, first served: a task is not admitted while a waiter ahead of it that would fit is still
 * waiting.
 */
public final class SharedAdmission implements Admission {
    private record Waiter(String runId, String task, Resources need, Optional<String> pool, int priority, long arrival) {
    }

    private static final java.util.Comparator<Waiter> ORDER =
            java.util.Comparator.comparingInt((Waiter w) -> -w.priority()).thenComparingLong(Waiter::arrival);

    private final Resources total;
    private final Map<String, Integer> poolLimits;
    private Resources used = Resources.NONE;
    private final Map<String, Integer> poolUsed = new HashMap<>();
    private final LinkedHashMap<String, Waiter> waiters = new LinkedHashMap<>();
    private long arrivals;
    private final Map<String, Runnable> wakers = new HashMap<>();
    /** What each admitted task holds, by "run/task": a run that ends abnormally gives it all back. */
    private final Map<String, Waiter> held = new HashMap<>();

    public SharedAdmission(Resources total, Map<String, Integer> poolLimits) {
        this.total = total;
        this.poolLimits = Map.copyOf(poolLimits);
    }

    @Override
    public synchronized Resources capacityFor(String runId, Resources held) {
        return held.plus(free());
    }

    /** What is free now; none while tasks taken over after a restart hold more than the total. */
    public synchronized Resources free() {
        return new Resources(Math.max(0, total.milliCpus() - used.milliCpus()), Math.max(0, total.memoryBytes() - used.memoryBytes()));
    }

    @Override
    public synchronized Optional<WaitReason> acquire(String runId, String task, Resources need, Optional<String> pool, int priority) {
        String key = runId + "/" + task;
        Resources capped = need.cappedAt(total);
        Resources free = free();
        Optional<WaitReason> refusal = Optional.empty();
        if (pool.isPresent() && poolUsed.getOrDefault(pool.get(), 0) >= poolLimits.getOrDefault(pool.get(), 0)) {
            refusal = Optional.of(WaitReason.POOL);
        } else if (!capped.fitsIn(free) || waiterAheadFits(key, priority, free)) {
            refusal = Optional.of(WaitReason.CAPACITY);
        }
        if (refusal.isPresent()) {
            waiters.putIfAbsent(key, new Waiter(runId, task, capped, pool, priority, arrivals++));
            return refusal;
        }
        waiters.remove(key);
        Waiter previous = held.put(key, new Waiter(runId, task, capped, pool, priority, 0));
        if (previous != null) {
            giveBack(previous); // admitted again without a release in between: count it once
        }
        used = used.plus(capped);
        pool.ifPresent(p -> poolUsed.merge(p, 1, Integer::sum));
        return Optional.empty();
    }

    @Override
    public synchronized void adopt(String runId, String task, Resources need, Optional<String> pool) {
        String key = runId + "/" + task;
        Resources capped = need.cappedAt(total);
        waiters.remove(key);
        Waiter previous = held.put(key, new Waiter(runId, task, capped, pool, 0, 0));
        if (previous != null) {
            giveBack(previous);
        }
        used = used.plus(capped);
        pool.ifPresent(p -> poolUsed.merge(p, 1, Integer::sum));
    }

    /** Whether a waiter ahead of this task (higher priority, or as high and earlier) would fit now. */
    private boolean waiterAheadFits(String key, int priority, Resources free) {
        Waiter me = waiters.getOrDefault(key, new Waiter("", "", Resources.NONE, Optional.empty(), priority, Long.MAX_VALUE));
        for (Waiter w : waiters.values()) {
            if (w == me || ORDER.compare(w, me) >= 0) {
                continue;
            }
            boolean poolFree = w.pool().isEmpty() || poolUsed.getOrDefault(w.pool().get(), 0) < poolLimits.getOrDefault(w.pool().get(), 0);
            if (w.need().fitsIn(free) && poolFree) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void release(String runId, String task, Resources need, Optional<String> pool) {
        List<Runnable> wake;
        synchronized (this) {
            Waiter holding = held.remove(runId + "/" + task);
            if (holding == null) {
                return; // released already, or given back when its run was forgotten
            }
            giveBack(holding);
            wake = waitersToWake();
        }
        wake.forEach(Runnable::run); // never call out while holding the lock
        released.run();
    }

    private volatile Runnable released = () -> { };

    /** Calls {@code action} after every release (outside the lock): a server looks for a new run to take when it has room. */
    public void onRelease(Runnable action) {
        this.released = action;
    }

    private void giveBack(Waiter holding) {
        used = used.minus(holding.need());
        holding.pool().ifPresent(p -> poolUsed.merge(p, -1, Integer::sum));
    }

    private List<Runnable> waitersToWake() {
        List<Runnable> wake = new ArrayList<>();
        for (Waiter w : waiters.values()) {
            Runnable r = wakers.get(w.runId());
            if (r != null && !wake.contains(r)) {
                wake.add(r);
            }
        }
        return wake;
    }

    @Override
    public synchronized void onFree(String runId, Runnable wake) {
        wakers.put(runId, wake);
    }

    @Override
    public void forget(String runId) {
        List<Runnable> wake;
        synchronized (this) {
            waiters.values().removeIf(w -> w.runId().equals(runId));
            wakers.remove(runId);
            // a run that ended on an internal error may not have released what its tasks held
            held.values().removeIf(h -> {
                if (h.runId().equals(runId)) {
                    giveBack(h);
                    return true;
                }
                return false;
            });
            wake = waitersToWake();
        }
        wake.forEach(Runnable::run);
    }

    /** For metrics: slots used in each pool the server knows. */
    public synchronized Map<String, Integer> poolsUsed() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        poolLimits.keySet().forEach(p -> m.put(p, poolUsed.getOrDefault(p, 0)));
        return m;
    }

    public Map<String, Integer> poolLimits() {
        return poolLimits;
    }

    /** For metrics: how many tasks wait, by reason (capacity or pool). */
    public synchronized Map<String, Integer> waitingByReason() {
        Map<String, Integer> m = new java.util.TreeMap<>(Map.of("capacity", 0, "pool", 0));
        for (Waiter w : waiters.values()) {
            boolean poolFull = w.pool().isPresent() && poolUsed.getOrDefault(w.pool().get(), 0) >= poolLimits.getOrDefault(w.pool().get(), 0);
            m.merge(poolFull ? "pool" : "capacity", 1, Integer::sum);
        }
        return m;
    }

    /** For status and metrics: what is used now. */
    public synchronized Resources used() {
        return used;
    }

    public Resources total() {
        return total;
    }

    /** Who waits, in the order they will be served. */
    public synchronized List<String> waiting() {
        return waiters.values().stream().sorted(ORDER).map(w -> w.runId() + "/" + w.task()).toList();
    }
}
