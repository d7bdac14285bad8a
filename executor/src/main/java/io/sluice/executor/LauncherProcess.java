package io.sluice.executor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts commands through one long-lived launcher process, which forks them: no JVM process
 * spawn, no setsid binary and no wrapper shell per command. The launcher also writes exit files
 * and outlives a crashed JVM until its last command ends. Two programs speak its protocol: the
 * native one built with Sluice (launcher.c, which starts commands with vfork) and launcher.pl,
 * for machines where it was not built.
 */
final class LauncherProcess implements ProcessLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(LauncherProcess.class);
    private static final HexFormat HEX = HexFormat.of();

    private final long launcherPid;
    private final OutputStream requests;
    private final InputStream replies;
    /** Waits up to the given milliseconds for the launcher to end; true once it has. */
    private final Ending ending;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Identity>> starting = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Integer>> running = new ConcurrentHashMap<>();
    private volatile boolean broken;
    private final java.util.Set<Long> jobPids = ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> pidOfId = new ConcurrentHashMap<>();
    private final java.util.Set<Long> endedAlone = ConcurrentHashMap.newKeySet();
    private volatile boolean childless;

    /** launcher.pl, run by the Perl at {@code perlPath}. */
    static LauncherProcess perl(String perlPath) throws IOException {
        String script;
        try (InputStream in = LauncherProcess.class.getResourceAsStream("launcher.pl")) {
            if (in == null) {
                throw new IOException("launcher.pl is missing from the executor jar");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return new LauncherProcess(java.util.List.of(perlPath, "-e", script));
    }

    /** The native launcher at {@code binary} (see {@link NativeLauncher}), started by {@link NativeSpawn} where it was built. */
    static LauncherProcess nativeAt(java.nio.file.Path binary) throws IOException {
        if (!NativeSpawn.available()) {
            return new LauncherProcess(java.util.List.of(binary.toString()));
        }
        Map<String, String> environment = new java.util.HashMap<>(System.getenv());
        environment.keySet().removeIf(k -> k.startsWith("PERL"));
        NativeSpawn.Child child = NativeSpawn.start(binary, environment);
        return new LauncherProcess(child.pid(), child.stdin(), child.stdout(),
                millis -> child.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    private LauncherProcess(java.util.List<String> command) throws IOException {
        this(started(command));
    }

    private LauncherProcess(Process process) {
        this(process.pid(), process.getOutputStream(), process.getInputStream(),
                millis -> process.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    private static Process started(java.util.List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().keySet().removeIf(k -> k.startsWith("PERL"));
        return builder.start();
    }

    private LauncherProcess(long pid, OutputStream requests, InputStream replies, Ending ending) {
        this.launcherPid = pid;
        this.requests = requests;
        this.replies = replies;
        this.ending = ending;
        Thread.ofPlatform().daemon().name("sluice-launcher-replies").start(this::readReplies);
    }

    /** How the launcher's end is waited for (whoever started it reaps it). */
    private interface Ending {
        boolean within(long millis) throws InterruptedException;
    }

    @Override
    public Launched launch(ProcessSpec spec) throws IOException {
        if (broken) {
            throw new IOException("the process launcher has stopped");
        }
        long id = ids.incrementAndGet();
        StringBuilder line = new StringBuilder("start ").append(id)
                .append(' ').append(hex(spec.workdir().toString()))
                .append(' ').append(hex(spec.log().toString()))
                .append(' ').append(hex(spec.exitFile().toString()))
                .append(' ').append(hex(spec.command()));
        spec.environment().forEach((k, v) -> line.append(' ').append(hexVariable(k, v)));
        line.append('\n');
        CompletableFuture<Identity> started = new CompletableFuture<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        starting.put(id, started);
        running.put(id, exit);
        childless = false;
        // no waiting for the reply: the next commands start while this one forks
        send(line.toString());
        return new Launched(id, started, exit);
    }

    @Override
    public void signalGroup(Launched process, String signal) {
        if (process.exit().isDone()) {
            return;
        }
        try {
            send("signal " + process.id() + " " + signal + "\n");
        } catch (IOException e) {
            throw new ExecutorException("cannot signal command " + process.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void acknowledge(Launched process) {
        if (broken || process.id() <= 0) {
            return;
        }
        try {
            send("ack " + process.id() + "\n");
        } catch (IOException e) {
            // the launcher is gone; it wrote the exit file when it noticed Sluice was
        }
    }

    @Override
    public boolean hasNoChildren() {
        return childless;
    }

    @Override
    public boolean endedAlone(Launched process) {
        return endedAlone.remove(process.id());
    }

    @Override
    public java.util.List<Long> orphans() {
        long self = launcherPid;
        java.util.List<Long> found = new java.util.ArrayList<>();
        for (long pid : ProcTable.pids()) {
            if (!jobPids.contains(pid) && ProcTable.parentOf(pid) == self) {
                found.add(pid);
            }
        }
        return found;
    }

    private synchronized void send(String line) throws IOException {
        requests.write(line.getBytes(StandardCharsets.UTF_8));
        requests.flush();
    }

    private void readReplies() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(replies, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(" ");
                long id = Long.parseLong(f[1]);
                switch (f[0]) {
                    case "started" -> {
                        CompletableFuture<Identity> s = starting.remove(id);
                        long pid = Long.parseLong(f[2]);
                        jobPids.add(pid);
                        pidOfId.put(id, pid);
                        if (s != null) {
                            s.complete(new Identity(pid, "-".equals(f[3]) ? "" : f[3]));
                        }
                    }
                    case "failed" -> {
                        CompletableFuture<Identity> s = starting.remove(id);
                        if (s != null) {
                            s.completeExceptionally(new IOException(new String(HEX.parseHex(f[2]), StandardCharsets.UTF_8)));
                        }
                        CompletableFuture<Integer> exit = running.remove(id);
                        if (exit != null) {
                            exit.complete(127);
                        }
                    }
                    case "exited" -> {
                        boolean alone = f.length > 3 && f[3].equals("alone");
                        if (alone) {
                            endedAlone.add(id);
                        }
                        Long pid = pidOfId.remove(id);
                        if (pid != null) {
                            jobPids.remove(pid);
                        }
                        CompletableFuture<Integer> exit = running.remove(id);
                        // every command asked for has ended, and the launcher has no child left
                        childless = alone && running.isEmpty() && starting.isEmpty();
                        if (exit != null) {
                            exit.complete(Integer.parseInt(f[2]));
                        }
                    }
                    default -> LOG.warn("unexpected reply from the process launcher: {}", line);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("reading the process launcher failed", e);
        }
        // the launcher is gone: nobody will report these commands' ends any more
        broken = true;
        starting.values().forEach(f -> f.completeExceptionally(new IOException("the process launcher stopped")));
        running.values().forEach(f -> f.complete(255));
    }

    private static String hex(String value) {
        return HEX.formatHex(value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The last value seen for each variable name and its encoding: most of a task's environment
     * (PATH, HOME, the run's own variables) is the same for every task of a run, and encoding it
     * anew each time was a tenth of the driver's work per task.
     */
    private final Map<String, String[]> encoded = new ConcurrentHashMap<>();

    private String hexVariable(String name, String value) {
        String[] known = encoded.get(name);
        if (known != null && known[0].equals(value)) {
            return known[1];
        }
        String hex = hex(name + "=" + value);
        if (encoded.size() >= 4096) {
            encoded.clear();
        }
        encoded.put(name, new String[] {value, hex});
        return hex;
    }

    @Override
    public void close() {
        try {
            requests.close(); // the launcher leaves once its commands have ended
        } catch (IOException e) {
            // it is gone already
        }
        if (running.isEmpty()) {
            // none left: it writes what it still owes to exit files and leaves; let it finish first
            try {
                ending.within(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
