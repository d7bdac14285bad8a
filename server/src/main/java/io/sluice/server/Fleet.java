package io.sluice.server;

import io.sluice.executor.ProcTable;
import io.sluice.store.FleetStore;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server among the servers of one database. On a shared database it beats in its row every
 * second; it judges another server dead when that server's beat has not moved for the lease time
 * by this server's own monotonic clock (no two machines' clocks are ever compared), at once when it
 * stopped cleanly, and at once when it ran on this machine and its process is gone. On a home's
 * SQLite there is one server per home (the home lock): any other server row is a dead predecessor,
 * whose work is taken over at start, and there is no beat.
 * The duties only one server does at a time are a lease that a live server takes from a dead one.
 */
final class Fleet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
    static final Duration BEAT = Duration.ofSeconds(1);
    static final String DUTIES = "duties";

    private final FleetStore store;
    private final boolean shared;
    private final Duration lease;
    private final String id;
    private final String host;
    private final Map<String, Seen> seen = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Set<String> dead = Set.of();
    private volatile boolean holdsDuties;
    private volatile boolean stopped;
    private Consumer<String> onDead = d -> { };
    private Runnable onBeat = () -> { };
    private Runnable onFenced = () -> { };

    private record Seen(long beat, long changedAtNanos) {
    }

    Fleet(FleetStore store, boolean shared, Duration lease, String host) {
        this.store = store;
        this.shared = shared;
        this.lease = lease;
        this.host = host;
        this.id = host.replaceAll("[^A-Za-z0-9.-]", "-") + "-" + java.util.HexFormat.of().formatHex(
                java.nio.ByteBuffer.allocate(4).putInt(new java.security.SecureRandom().nextInt()).array());
    }

    /** The lease time: {@code $SLUICE_LEASE_SECONDS} (for tests and small fleets), else 15 s. */
    static Duration leaseFromEnvironment() {
        String value = System.getenv("SLUICE_LEASE_SECONDS");
        if (value != null && value.matches("\\d{1,4}") && Integer.parseInt(value) >= 2) {
            return Duration.ofSeconds(Integer.parseInt(value));
        }
        return Duration.ofSeconds(15);
    }

    String id() {
        return id;
    }

    boolean shared() {
        return shared;
    }

    /** Called on every beat with each dead server that still owns runs or duties; called with the dead server's id. */
    void onDead(Consumer<String> action) {
        this.onDead = action;
    }

    /** Called every second, after looking at the others (looks again at the work they left). */
    void onBeat(Runnable action) {
        this.onBeat = action;
    }

    /** Called once if the others judged this server dead although it lives: it must stop. */
    void onFenced(Runnable action) {
        this.onFenced = action;
    }

    /** Registers and looks at the others once (so that a restart takes over a dead predecessor's work at once). */
    void join(String home) {
        long pid = ProcessHandle.current().pid();
        store.register(id, host, pid, ProcTable.startTime(pid), home);
        observe();
    }

    void start() {
        if (!shared) {
            return; // alone on its home (the home lock says so): nobody to beat for, nobody to watch
        }
        // the beat has a thread of its own: looking at the others and taking their work over can
        // take a while, and must never delay the beat into looking dead
        Thread.ofPlatform().daemon().name("sluice-beat").start(this::beatLoop);
        Thread.ofPlatform().daemon().name("sluice-fleet").start(this::loop);
    }

    void publishUrl(String url) {
        store.publishUrl(id, url);
    }

    /** How many servers this one sees alive, itself included. */
    int alive() {
        return 1 + (int) seen.keySet().stream().filter(id -> !dead.contains(id)).count();
    }

    boolean holdsDuties() {
        return holdsDuties;
    }

    private void beatLoop() {
        while (!stopped) {
            try {
                if (!store.beat(id)) {
                    if (stopped) {
                        return; // a clean stop marked the row
                    }
                    LOG.error("the other servers judged this server ({}) dead; it stops driving runs", id);
                    stopped = true;
                    onFenced.run();
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warn("beat of server {} failed; trying again: {}", id, e.getMessage());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(BEAT.toNanos());
        }
    }

    private void loop() {
        while (!stopped) {
            try {
                observe();
                onBeat.run();
            } catch (RuntimeException e) {
                LOG.warn("looking at the other servers failed; trying again: {}", e.getMessage());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(BEAT.toNanos());
        }
    }

    private synchronized void observe() {
        long now = System.nanoTime();
        Set<String> nowDead = new HashSet<>();
        List<FleetStore.Server> servers = store.servers();
        Set<String> present = new HashSet<>();
        for (FleetStore.Server s : servers) {
            present.add(s.id());
            if (s.id().equals(id)) {
                continue;
            }
            Seen before = seen.get(s.id());
            if (before == null || before.beat() != s.beat()) {
                seen.put(s.id(), new Seen(s.beat(), now));
            }
            if (s.stopped() || !shared || goneFromThisMachine(s)
                    || now - seen.get(s.id()).changedAtNanos() > lease.toNanos()) {
                nowDead.add(s.id());
            }
        }
        seen.keySet().retainAll(present);
        for (String d : nowDead) {
            if (!dead.contains(d)) {
                LOG.warn("server {} is gone; its runs and duties are taken over", d);
                store.markStopped(d);
            }
        }
        dead = Set.copyOf(nowDead);
        String holder = store.holder(DUTIES, id);
        if (!holder.equals(id) && (nowDead.contains(holder) || !present.contains(holder))) {
            store.takeDuty(DUTIES, holder, id);
            holder = store.holder(DUTIES, id);
        }
        holdsDuties = holder.equals(id);
        for (String d : nowDead) {
            try {
                onDead.accept(d);
            } catch (RuntimeException e) {
                LOG.error("taking over from server {} failed; trying again", d, e);
            }
        }
    }

    /** A server of this machine whose process is gone (pid and start time, so a reused pid is not taken for it). */
    private boolean goneFromThisMachine(FleetStore.Server s) {
        return s.host().equals(host) && s.pidStart().isPresent() && !ProcTable.isAlive(s.pid(), s.pidStart().get());
    }

    /** A clean stop: the duties go at once and the other servers take over this one's runs without waiting. */
    @Override
    public void close() {
        stopped = true;
        try {
            store.releaseDuties(id);
            store.markStopped(id);
        } catch (RuntimeException e) {
            LOG.warn("could not sign off server {}: {}", id, e.getMessage());
        }
    }
}
