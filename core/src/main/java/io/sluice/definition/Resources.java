package io.sluice.definition;

/** What a task needs to run: CPUs in thousandths (so 0.5 CPU is 500) and memory in bytes. */
public record Resources(long milliCpus, long memoryBytes) {
    public static final Resources DEFAULT = new Resources(1000, 256L * 1024 * 1024);
    public static final Resources NONE = new Resources(0, 0);

    public Resources {
        if (milliCpus < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException("resources cannot be negative");
        }
    }

    public boolean fitsIn(Resources free) {
        return milliCpus <= free.milliCpus && memoryBytes <= free.memoryBytes;
    }

    public Resources plus(Resources other) {
        return new Resources(milliCpus + other.milliCpus, memoryBytes + other.memoryBytes);
    }

    public Resources minus(Resources other) {
        return new Resources(milliCpus - other.milliCpus, memoryBytes - other.memoryBytes);
    }

    /** Each dimension capped at {@code limit}'s, so one task bigger than the machine can still run alone. */
    public Resources cappedAt(Resources limit) {
        return new Resources(Math.min(milliCpus, limit.milliCpus), Math.min(memoryBytes, limit.memoryBytes));
    }

    public String describe() {
        String cpus = milliCpus % 1000 == 0 ? String.valueOf(milliCpus / 1000) : String.valueOf(milliCpus / 1000.0);
        return cpus + " cpu, " + Sizes.format(memoryBytes);
    }
}
