package io.sluice.engine;

import io.sluice.definition.Resources;
import java.lang.management.ManagementFactory;

/** What a run may use on this machine by default: every core and 80 % of the memory (SPEC §7). */
public final class MachineCapacity {
    private MachineCapacity() {
    }

    public static Resources detect() {
        long cpus = Runtime.getRuntime().availableProcessors() * 1000L;
        long memory = 8L * 1024 * 1024 * 1024;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return new Resources(cpus, memory / 5 * 4);
    }
}
