package io.sluice.executor;

/** A process the sweep found carrying a run's marker after it should have ended, and killed. */
public record SweptProcess(long pid, String marker, String commandLine) {
    public String describe() {
        return "pid " + pid + " (" + commandLine + ") left by " + marker;
    }
}
