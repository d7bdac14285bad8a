package io.sluice.cli;

import io.sluice.server.LogsJson;
import io.sluice.store.RunRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice logs RUN [TASK] [--attempt N] [--follow]}: the logs of a run's tasks (stdout and
 * stderr interleaved), read from the server when one runs, else from the home, in windows of at
 * most a MiB so that a huge log streams instead of filling memory.
 */
final class LogsCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String runId;

    String task;

    Integer attempt;

    boolean follow;

    boolean json;

    LogsCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "logs", "Print task logs of a run: one task (latest attempt by default), or all of them.")
                .parameter(0, "RUN", "1", "", v -> runId = v)
                .parameter(1, "TASK", "0..1", "A task id, or setup / teardown.", v -> task = v)
                .option("--attempt", "N", "Which attempt (default: the latest).", Integer.class, null, v -> attempt = v)
                .flag("-f,--follow", "Keep printing as the log grows, until the run ends.", v -> follow = v)
                .flag("--json", "Print {\"run\", \"logs\": [{\"task\", \"attempt\", \"outcome\", \"exit_code\", \"log\"}]}.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    /** Where logs come from: the home, or a server. */
    private interface Source {
        JsonNode logs(Optional<String> task, Optional<Integer> attempt, Optional<Long> from, boolean text);
    }

    @Override
    public Integer call() {
        if (json && follow) {
            throw UserError.usage("--json and --follow do not go together");
        }
        if (task == null && attempt != null) {
            throw UserError.usage("--attempt needs a TASK");
        }
        try (Cli cli = new Cli(root, spec)) {
            Source source = source(cli);
            if (json) {
                cli.printJson(source.logs(Optional.ofNullable(task), Optional.ofNullable(attempt), Optional.empty(), true));
                return 0;
            }
            JsonNode listing = source.logs(Optional.ofNullable(task), Optional.ofNullable(attempt), Optional.empty(), false);
            if (listing.path("logs").isEmpty() && attempt != null) {
                throw UserError.usage(task + " of run " + listing.path("run").asString() + " has no attempt " + attempt);
            }
            if (listing.path("logs").isEmpty() && !follow) {
                cli.err.println("sluice: " + (task == null ? "run " + listing.path("run").asString() + " has no logs yet"
                        : task + " of run " + listing.path("run").asString() + " has not started") + " (" + listing.path("state").asString() + ")");
                return 0;
            }
            if (follow) {
                follow(cli, source);
                return 0;
            }
            JsonNode logs = listing.path("logs");
            if (task != null) {
                print(cli, source, logs.get(logs.size() - 1), 0, false);
            } else {
                for (JsonNode log : logs) {
                    print(cli, source, log, 0, true);
                }
            }
            return 0;
        }
    }

    private Source source(Cli cli) {
        if (cli.server().isPresent()) {
            ServerClient server = cli.server().get();
            String path = "/api/v1/runs/" + Lookup.checkedId(runId) + "/logs";
            return (t, a, from, text) -> server.get(path + "?text=" + text + t.map(x -> "&task=" + ServerClient.query(x)).orElse("")
                    + a.map(x -> "&attempt=" + x).orElse("") + from.map(x -> "&from=" + x).orElse(""));
        }
        RunRecord run = Lookup.run(cli, runId);
        return (t, a, from, text) -> {
            try {
                return Cli.tree(LogsJson.json(cli.store().run(run.id()), cli.store().tasks(run.id()), cli.store().attempts(run.id()),
                        new LogsJson.Query(t, a, from, text), UnaryOperator.identity()));
            } catch (LogsJson.UnknownTaskException e) {
                throw UserError.usage(e.getMessage());
            }
        };
    }

    /** Prints one attempt's log from an offset to its current end, window by window; returns the offset reached. */
    private long print(Cli cli, Source source, JsonNode log, long from, boolean header) {
        String name = log.path("task").asString();
        int number = log.path("attempt").asInt();
        long size = log.path("size").asLong();
        long offset = from;
        boolean first = true;
        do {
            JsonNode piece = source.logs(Optional.of(name), Optional.of(number), Optional.of(offset), true).path("logs").path(0);
            if (header && first) {
                cli.out.println("==> " + name + " (attempt " + number + ", " + piece.path("outcome").asString("running") + ") <==");
            }
            first = false;
            cli.out.print(piece.path("log").asString(""));
            long next = piece.path("next").asLong(offset);
            if (next <= offset) {
                break;
            }
            offset = next;
        } while (offset < size);
        cli.out.flush();
        return offset;
    }

    /** Prints logs as they grow until the run (or the chosen attempt) ends. */
    private void follow(Cli cli, Source source) {
        Map<String, Long> offsets = new HashMap<>();
        String current = null;
        long pause = cli.server().isPresent() ? 500_000_000L : 200_000_000L;
        while (true) {
            JsonNode listing = source.logs(Optional.ofNullable(task), Optional.ofNullable(attempt), Optional.empty(), false);
            JsonNode logs = listing.path("logs");
            boolean ended = listing.path("ended").asBoolean();
            for (int i = 0; i < logs.size(); i++) {
                JsonNode log = logs.get(i);
                if (task != null && attempt == null && i < logs.size() - 1) {
                    continue; // one task: follow its latest attempt
                }
                String key = log.path("task").asString() + "." + log.path("attempt").asInt();
                long offset = offsets.getOrDefault(key, 0L);
                if (log.path("size").asLong() > offset) {
                    boolean header = task == null && !key.equals(current);
                    offsets.put(key, print(cli, source, log, offset, header));
                    current = key;
                }
                if (task != null && attempt != null && log.path("outcome").isString()) {
                    ended = true;
                }
            }
            if (ended) {
                return;
            }
            LockSupport.parkNanos(pause);
        }
    }
}
