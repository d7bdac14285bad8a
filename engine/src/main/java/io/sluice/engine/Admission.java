package io.sluice.engine;

import io.sluice.definition.Resources;
import io.sluice.run.WaitReason;
import java.util.Optional;

/**
 * Who may start a task now: the capacity (CPUs, memory) and pool slots that runs share. A
 * dev run has the machine to itself; a server's runs share its {@code --cpus}, {@code --memory}
 * and pools, and wait for them in the order they asked.
 */
public interface Admission {

    /** The capacity a run may plan with: what it holds now plus what is free for it. */
    Resources capacityFor(String runId, Resources held);

    /**
     * Takes {@code need} and a slot of {@code pool} for the task, or says why it must wait;
     * waiters are served by {@code priority} (higher first), then in the order they asked.
     */
    Optional<WaitReason> acquire(String runId, String task, Resources need, Optional<String> pool, int priority);

    /**
     * Counts what a task already running holds (one taken over after a restart): it takes its
     * share whether or not that fits, and never waits, since its process runs anyway.
     */
    default void adopt(String runId, String task, Resources need, Optional<String> pool) {
    }

    /** Gives back what {@link #acquire} took, once the task's processes are gone. */
    void release(String runId, String task, Resources need, Optional<String> pool);

    /** Calls {@code wake} when capacity or a pool slot frees up, as long as the run waits for some. */
    void onFree(String runId, Runnable wake);

    /** The run has ended, or its driver stopped: forget its waiters and give back what its tasks still hold. */
    void forget(String runId);

    /** A run alone on a machine (a dev run, a test): the decider alone keeps it within {@code machine}. */
    static Admission machine(Resources machine) {
        return new Admission() {
            @Override
            public Resources capacityFor(String runId, Resources held) {
                return machine;
            }

            @Override
            public Optional<WaitReason> acquire(String runId, String task, Resources need, Optional<String> pool, int priority) {
                return Optional.empty();
            }

            @Override
            public void release(String runId, String task, Resources need, Optional<String> pool) {
            }

            @Override
            public void onFree(String runId, Runnable wake) {
            }

            @Override
            public void forget(String runId) {
            }
        };
    }
}
