package io.sluice.engine;

import io.sluice.definition.Resources;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a run may use on this machine by default: every core and 80 % of the memory (SPEC §7). */
public final class MachineCapacity {
    private MachineCapacity() {
    }

    public static Resources detect() {
        long cpus = Runtime.getRuntime().availableProcessors() * 1000L;
        return new Resources(cpus, totalMemory() / 5 * 4);
    }

    /** From /proc/meminfo when it is there: the management beans take a cold JVM several milliseconds to start. */
    private static long totalMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    String kb = line.substring("MemTotal:".length()).trim().split("\\s+")[0];
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc is hidden: ask the JVM
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 8L * 1024 * 1024 * 1024;
    }
}
