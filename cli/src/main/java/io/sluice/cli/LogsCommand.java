package io.sluice.cli;

import io.sluice.store.AttemptRecord;
import io.sluice.store.RunRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sluice logs RUN [TASK] [--attempt N] [--follow]}: the logs of a run's tasks (stdout and stderr interleaved). */
@Command(name = "logs", mixinStandardHelpOptions = true, versionProvider = Version.class, description = "Print task logs of a run: one task (latest attempt by default), or all of them.")
final class LogsCommand implements Callable<Integer> {
    @ParentCommand
    Sluice root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN")
    String runId;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TASK", description = "A task id, or setup / teardown.")
    String task;

    @Option(names = "--attempt", paramLabel = "N", description = "Which attempt (default: the latest).")
    Integer attempt;

    @Option(names = {"-f", "--follow"}, description = "Keep printing as the log grows, until the run ends.")
    boolean follow;

    @Option(names = "--json", description = "Print {\"run\", \"logs\": [{\"task\", \"attempt\", \"outcome\", \"exit_code\", \"log\"}]}.")
    boolean json;

    private static final int JSON_LOG_LIMIT = 1 << 20;

    @Override
    public Integer call() {
        try (Cli cli = new Cli(root, spec)) {
            RunRecord run = Lookup.run(cli, runId);
            if (json && follow) {
                throw UserError.usage("--json and --follow do not go together");
            }
            if (json) {
                return printJson(cli, run);
            }
            if (task == null) {
                if (attempt != null) {
                    throw UserError.usage("--attempt needs a TASK");
                }
                return all(cli, run);
            }
            String name = switch (task) {
                case "setup" -> AttemptRecord.SETUP;
                case "teardown" -> AttemptRecord.TEARDOWN;
                default -> task;
            };
            List<String> taskIds = cli.store().tasks(run.id()).stream().map(t -> t.taskId()).toList();
            if (!taskIds.contains(name) && !name.startsWith("_")) {
                throw UserError.usage("run " + run.id() + " has no task '" + task + "' (tasks: " + String.join(", ", taskIds) + ")");
            }
            List<AttemptRecord> attempts = cli.store().attempts(run.id()).stream().filter(a -> a.taskId().equals(name)).toList();
            if (attempts.isEmpty()) {
                cli.err.println("sluice: " + task + " of run " + run.id() + " has not started"
                        + cli.store().tasks(run.id()).stream().filter(t -> t.taskId().equals(name)).findFirst()
                        .map(t -> " (" + t.state().wireName() + t.cause().map(c -> ": " + c).orElse("") + ")").orElse(""));
                return follow ? followOne(cli, run, name) : 0;
            }
            AttemptRecord chosen;
            if (attempt != null) {
                chosen = attempts.stream().filter(a -> a.attempt() == attempt).findFirst().orElseThrow(() ->
                        UserError.usage(task + " of run " + run.id() + " has no attempt " + attempt + " (it has " + attempts.size() + ")"));
            } else {
                chosen = attempts.get(attempts.size() - 1);
            }
            if (follow) {
                return followAttempt(cli, run, chosen, 0);
            }
            copy(Path.of(chosen.logPath()), cli);
            return 0;
        }
    }

    private int printJson(Cli cli, RunRecord run) {
        String name = task == null ? null : switch (task) {
            case "setup" -> AttemptRecord.SETUP;
            case "teardown" -> AttemptRecord.TEARDOWN;
            default -> task;
        };
        if (name != null && !name.startsWith("_") && cli.store().tasks(run.id()).stream().noneMatch(t -> t.taskId().equals(name))) {
            throw UserError.usage("run " + run.id() + " has no task '" + task + "'");
        }
        List<Map<String, Object>> logs = new java.util.ArrayList<>();
        for (AttemptRecord a : cli.store().attempts(run.id())) {
            if ((name != null && !a.taskId().equals(name)) || (attempt != null && a.attempt() != attempt)) {
                continue;
            }
            String text = io.sluice.engine.LogTail.read(Path.of(a.logPath()), JSON_LOG_LIMIT);
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("task", display(a).split(" ")[0]);
            m.put("attempt", a.attempt());
            m.put("outcome", a.outcome().orElse(null));
            m.put("exit_code", a.exitCode().orElse(null));
            m.put("truncated", size(Path.of(a.logPath())) > JSON_LOG_LIMIT);
            m.put("log", text);
            logs.add(m);
        }
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        result.put("run", run.id());
        result.put("logs", logs);
        cli.printJson(result);
        return 0;
    }

    private int all(Cli cli, RunRecord run) {
        if (follow) {
            return followAll(cli, run);
        }
        List<AttemptRecord> attempts = cli.store().attempts(run.id());
        if (attempts.isEmpty()) {
            cli.err.println("sluice: run " + run.id() + " has no logs yet (" + run.state().wireName() + ")");
            return 0;
        }
        for (AttemptRecord a : attempts) {
            cli.out.println("==> " + display(a) + " <==");
            copy(Path.of(a.logPath()), cli);
        }
        return 0;
    }

    private int followAll(Cli cli, RunRecord run) {
        Map<String, Long> offsets = new HashMap<>();
        String current = null;
        while (true) {
            boolean ended = cli.store().run(run.id()).state().isTerminal();
            for (AttemptRecord a : cli.store().attempts(run.id())) {
                String key = a.taskId() + "." + a.attempt();
                long offset = offsets.getOrDefault(key, 0L);
                long size = size(Path.of(a.logPath()));
                if (size > offset) {
                    if (!key.equals(current)) {
                        cli.out.println("==> " + display(a) + " <==");
                        current = key;
                    }
                    offsets.put(key, copyFrom(Path.of(a.logPath()), offset, cli));
                }
            }
            cli.out.flush();
            if (ended) {
                return 0;
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }

    private int followOne(Cli cli, RunRecord run, String name) {
        while (true) {
            Optional<AttemptRecord> latest = cli.store().attempts(run.id()).stream().filter(a -> a.taskId().equals(name)).reduce((a, b) -> b);
            if (latest.isPresent()) {
                return followAttempt(cli, run, latest.get(), 0);
            }
            if (cli.store().run(run.id()).state().isTerminal()) {
                return 0;
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }

    private int followAttempt(Cli cli, RunRecord run, AttemptRecord a, long from) {
        long offset = from;
        Path log = Path.of(a.logPath());
        while (true) {
            boolean ended = cli.store().attempts(run.id()).stream()
                    .anyMatch(x -> x.taskId().equals(a.taskId()) && x.attempt() == a.attempt() && x.endedAt().isPresent())
                    || cli.store().run(run.id()).state().isTerminal();
            offset = copyFrom(log, offset, cli);
            cli.out.flush();
            if (ended) {
                copyFrom(log, offset, cli);
                cli.out.flush();
                return 0;
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }

    private static String display(AttemptRecord a) {
        String name = switch (a.taskId()) {
            case AttemptRecord.SETUP -> "setup";
            case AttemptRecord.TEARDOWN -> "teardown";
            default -> a.taskId();
        };
        return name + " (attempt " + a.attempt() + a.outcome().map(o -> ", " + o).orElse(", running") + ")";
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void copy(Path log, Cli cli) {
        if (!Files.exists(log)) {
            return;
        }
        try (InputStream in = Files.newInputStream(log)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                cli.out.write(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            cli.out.flush();
        } catch (IOException e) {
            throw UserError.usage("cannot read " + log + ": " + e.getMessage());
        }
    }

    private static long copyFrom(Path log, long offset, Cli cli) {
        if (!Files.exists(log)) {
            return offset;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            if (length <= offset) {
                return offset;
            }
            f.seek(offset);
            byte[] bytes = new byte[(int) Math.min(length - offset, 1 << 20)];
            f.readFully(bytes);
            cli.out.write(new String(bytes, StandardCharsets.UTF_8));
            return offset + bytes.length;
        } catch (IOException e) {
            return offset;
        }
    }
}
