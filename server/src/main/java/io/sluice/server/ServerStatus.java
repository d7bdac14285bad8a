package io.sluice.server;

import io.sluice.definition.Sizes;
import io.sluice.engine.SharedAdmission;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the server is doing: capacity used and free, runs it drives, the waiters, the last scheduler tick. */
final class ServerStatus {
    private final SharedAdmission admission;
    private final RunManager manager;
    private final Scheduler scheduler;
    private final String home;
    private final Fleet fleet;
    private final String database;

    ServerStatus(SharedAdmission admission, RunManager manager, Scheduler scheduler, String home, Fleet fleet, String database) {
        this.fleet = fleet;
        this.database = database;
        this.admission = admission;
        this.manager = manager;
        this.scheduler = scheduler;
        this.home = home;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("home", home);
        m.put("pid", ProcessHandle.current().pid());
        m.put("server_id", fleet.id());
        m.put("database", database);
        m.put("holds_duties", fleet.holdsDuties());
        m.put("cpus_total", admission.total().milliCpus() / 1000.0);
        m.put("cpus_used", admission.used().milliCpus() / 1000.0);
        m.put("memory_total", Sizes.format(admission.total().memoryBytes()));
        m.put("memory_used", Sizes.format(admission.used().memoryBytes()));
        m.put("runs_driving", manager.active());
        m.put("tasks_waiting", admission.waiting());
        m.put("last_tick_ms", scheduler.lastTickNanos() / 1_000_000.0);
        return m;
    }
}
