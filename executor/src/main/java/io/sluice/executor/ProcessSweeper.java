package io.sluice.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds and kills processes that outlived their task: children left in the background, and
 * processes that escaped the process group with setsid, a double fork or nohup. Each task process
 * carries {@value #MARKER} in its environment, which children inherit and /proc shows.
 */
public final class ProcessSweeper {
    public static final String MARKER = "SLUICE_SANDBOX";
    private static final int ROUNDS = 5;
    private static final int UNSURE_RETRIES = 10;
    private static final long UNSURE_PAUSE_NANOS = 2_000_000L;
    /** Up to this many new pids, each is looked at directly; past it, /proc is listed. */
    private static final long SMALL_WINDOW = 64;

    private ProcessSweeper() {
    }

    /** Kills every process whose marker starts with {@code markerPrefix}; repeats while it keeps finding some (they may fork). */
    public static List<SweptProcess> sweepAll(String markerPrefix) {
        return sweep(markerPrefix, Optional.empty());
    }

    /**
     * Like {@link #sweepAll}, but looks only at pids handed out after {@code afterPid}: a cheap scan
     * for a short task, whose descendants all have younger pids (pids are given out in order, wrapping).
     */
    public static List<SweptProcess> sweepYoungerThan(String markerPrefix, long afterPid) {
        return sweep(markerPrefix, Optional.of(afterPid));
    }

    /** Whether any process still carries a marker starting with {@code markerPrefix}; kills nothing. */
    public static boolean anyLeft(String markerPrefix) {
        long self = ProcessHandle.current().pid();
        for (long pid : ProcTable.pids()) {
            if (pid != self && ProcTable.environmentValue(pid, MARKER).filter(m -> m.startsWith(markerPrefix)).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private static List<SweptProcess> sweep(String markerPrefix, Optional<Long> afterPid) {
        List<SweptProcess> killed = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        // A process in the middle of exec shows an empty environment for a moment (the kernel has
        // swapped its memory but not yet set the new environment up): look at those again shortly.
        List<Long> unsure = List.of();
        boolean fullScan = true;
        for (int round = 0; round < ROUNDS + UNSURE_RETRIES; round++) {
            List<Long> candidates;
            if (fullScan) {
                Optional<Long> last = ProcTable.lastPid();
                if (round == 0 && afterPid.isPresent() && last.isPresent() && last.get().equals(afterPid.get())) {
                    break; // no process was made since the command's own: it cannot have left one behind
                }
                candidates = new ArrayList<>();
                if (afterPid.isPresent() && last.isPresent() && last.get() > afterPid.get()
                        && last.get() - afterPid.get() <= SMALL_WINDOW) {
                    // few pids were handed out since the command's own: look at each rather than list /proc
                    for (long pid = afterPid.get() + 1; pid <= last.get(); pid++) {
                        if (pid != self) {
                            candidates.add(pid);
                        }
                    }
                } else {
                    for (long pid : ProcTable.pids()) {
                        if (pid != self && (afterPid.isEmpty() || last.isEmpty() || inWindow(pid, afterPid.get(), last.get()))) {
                            candidates.add(pid);
                        }
                    }
                }
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(UNSURE_PAUSE_NANOS);
                candidates = unsure;
            }
            List<Long> stillUnsure = new ArrayList<>();
            int found = 0;
            for (long pid : candidates) {
                Optional<String> marker = ProcTable.environmentValue(pid, MARKER);
                if (marker.isEmpty()) {
                    if (ProcTable.hasEmptyEnvironment(pid)) {
                        stillUnsure.add(pid);
                    }
                    continue;
                }
                if (!marker.get().startsWith(markerPrefix)) {
                    continue;
                }
                String command = ProcTable.commandLine(pid);
                // ProcessHandle remembers the start time and will not signal a reused pid
                Optional<ProcessHandle> handle = ProcessHandle.of(pid);
                if (handle.isPresent() && handle.get().destroyForcibly()) {
                    killed.add(new SweptProcess(pid, marker.get(), command));
                    found++;
                }
            }
            if (found > 0) {
                waitGone(killed);
                fullScan = true; // they may have forked meanwhile
            } else if (!stillUnsure.isEmpty() && round < ROUNDS + UNSURE_RETRIES - 1) {
                fullScan = false;
            } else {
                break;
            }
            unsure = stillUnsure;
        }
        return killed;
    }

    /** Whether {@code pid} was handed out after {@code after} and up to {@code last}, counting around the wrap. */
    static boolean inWindow(long pid, long after, long last) {
        if (last >= after) {
            return pid > after && pid <= last;
        }
        return pid > after || pid <= last;
    }

    /** Waits (briefly) until each killed process is gone or a zombie: a zombie runs nothing. */
    private static void waitGone(List<SweptProcess> killed) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
        for (SweptProcess p : killed) {
            while (ProcTable.isRunning(p.pid()) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
            }
        }
    }
}
