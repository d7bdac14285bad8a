package io.sluice.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Starts a command in a new session and process group, with its output in its log and its exit
 * status written next to it, and signals that group while it runs.
 */
interface ProcessLauncher extends AutoCloseable {

    /** Which process a command is: its group leader's pid and that process's start time. */
    record Identity(long pid, String startTime) {
    }

    /**
     * A command handed to the launcher: its process's identity once it is known, and its exit
     * status to come. A command that could not start exits with 126 or 127.
     */
    record Launched(long id, CompletableFuture<Identity> started, CompletableFuture<Integer> exit) {
    }

    /** Starts {@code spec} (whose environment already holds the marker); may return before the process exists. */
    Launched launch(ProcessSpec spec) throws IOException;

    /** Sends {@code signal} (TERM or KILL) to the group of a command that has not been seen to end. */
    void signalGroup(Launched process, String signal);

    /**
     * Whether {@code process}, which has ended, was the launcher's last child: then nothing it
     * started can still run (the launcher is a subreaper, so whatever outlives its parent is
     * re-parented to it), and there is nothing to sweep. Asked once per process.
     */
    default boolean endedAlone(Launched process) {
        return false;
    }

    /**
     * Sluice has recorded {@code process}'s exit status durably: a launcher that writes exit files
     * only for ends nobody recorded (the native one) need not write this one.
     */
    default void acknowledge(Launched process) {
    }

    /**
     * Whether the launcher has no child at all now: it reported so with its last command's end,
     * and has started none since. Then no process of any of its commands is left anywhere.
     */
    default boolean hasNoChildren() {
        return false;
    }

    /**
     * Processes re-parented to the launcher that are not commands it started: orphans a command
     * left running. Empty when the launcher cannot reap orphans (the shell launcher: they go to init).
     */
    default java.util.List<Long> orphans() {
        return java.util.List.of();
    }

    @Override
    void close();

    /**
     * The native launcher when the build made one (launcher.c: vfork, the cheapest start), else
     * the Perl launcher when Perl is there (every Debian has perl-base): one long-lived process
     * starts each command, several times cheaper than starting each through the JVM. Otherwise
     * each command starts through setsid and a shell wrapper. SLUICE_LAUNCHER=native, perl or
     * shell asks for one (a missing one falls back as above).
     */
    static ProcessLauncher detect() {
        String wanted = System.getenv().getOrDefault("SLUICE_LAUNCHER", "");
        if (!wanted.equals("perl") && !wanted.equals("shell")) {
            java.util.Optional<Path> binary = NativeLauncher.find();
            if (binary.isPresent()) {
                try {
                    return LauncherProcess.nativeAt(binary.get());
                } catch (IOException | RuntimeException e) {
                    // built for another machine, or not runnable here: Perl does the same job
                }
            }
        }
        if (!wanted.equals("shell")) {
            for (String perl : new String[] {"/usr/bin/perl", "/bin/perl", "/usr/local/bin/perl"}) {
                if (Files.isExecutable(Path.of(perl))) {
                    try {
                        return LauncherProcess.perl(perl);
                    } catch (IOException | RuntimeException e) {
                        break;
                    }
                }
            }
        }
        return new ShellLauncher();
    }
}
