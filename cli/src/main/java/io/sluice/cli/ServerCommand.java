package io.sluice.cli;

import io.sluice.definition.AlertSink;
import io.sluice.definition.Resources;
import io.sluice.definition.Sizes;
import io.sluice.engine.MachineCapacity;
import io.sluice.engine.SluiceHome;
import io.sluice.server.SluiceServer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice server}: scheduler, admission, crash recovery, alerts and the REST API, until SIGTERM. */
final class ServerCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    int port;

    String bind;

    String cpus;

    String memory;

    List<String> pools;

    List<String> alerts;

    boolean allowPrivate;

    List<String> deploy;

    String db;

    ServerCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "server", "Run the scheduler and the REST API on the home until SIGTERM (or Ctrl-C).")
                .intOption("--port", "<port>", 8080, "Port (default ${DEFAULT-VALUE}; 0 picks a free one).", v -> port = v)
                .option("--bind", "<bind>", "Address to listen on (default ${DEFAULT-VALUE}).", String.class, "127.0.0.1", v -> bind = v)
                .option("--cpus", "N", "CPUs that tasks may use at once (default: the machine's cores).", v -> cpus = v)
                .option("--memory", "SIZE", "Memory that tasks may use at once (default: 80%% of the machine's).", v -> memory = v)
                .repeatable("--pool", "NAME=N", "A named pool of N slots; repeatable.", v -> pools = v)
                .repeatable("--alert", "SINK", "Default alert sink for every pipeline: an http(s) webhook URL, or command:CMD; repeatable.", v -> alerts = v)
                .flag("--allow-private-webhooks", "Allow webhooks to loopback, link-local and private addresses.", v -> allowPrivate = v)
                .repeatable("--deploy", "PATH", "1..*", "Once started, deploy these pipeline directories through the gate (as sluice deploy does); repeatable.", v -> deploy = v)
                .option("--db", "URL", "A PostgreSQL database shared by several servers, jdbc:postgresql://HOST[:PORT]/DB?user=U&password=P" + " (default: $SLUICE_DB_URL, else SQLite in the home).", v -> db = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() throws Exception {
        if (db != null && !db.startsWith("jdbc:postgresql://")) {
            throw UserError.usage("--db '" + db.replaceAll("(?i)password=[^&]*", "password=***") + "': want jdbc:postgresql://HOST[:PORT]/DB?user=U&password=P");
        }
        if (port < 0 || port > 65535) {
            throw UserError.usage("--port must be from 0 to 65535");
        }
        Resources machine = MachineCapacity.detect();
        long milliCpus = cpus == null ? machine.milliCpus() : parseCpus(cpus);
        long bytes = memory == null ? machine.memoryBytes()
                : Sizes.parse(memory).orElseThrow(() -> UserError.usage("--memory '" + memory + "': use " + Sizes.FORMS));
        Map<String, Integer> poolLimits = new LinkedHashMap<>();
        for (String p : pools) {
            String[] kv = p.split("=", 2);
            if (kv.length != 2 || !io.sluice.definition.Ids.isValid(kv[0]) || !kv[1].matches("\\d{1,6}")) {
                throw UserError.usage("--pool '" + p + "': expected NAME=N, such as warehouse=4");
            }
            poolLimits.put(kv[0], Integer.parseInt(kv[1]));
        }
        List<AlertSink> sinks = new ArrayList<>();
        for (String a : alerts) {
            if (a.startsWith("command:")) {
                sinks.add(new AlertSink.Command(a.substring("command:".length())));
            } else if (a.startsWith("http://") || a.startsWith("https://")) {
                sinks.add(new AlertSink.Webhook(a));
            } else {
                throw UserError.usage("--alert '" + a + "': an http(s) URL, or command:CMD");
            }
        }
        SluiceHome home = SluiceHome.resolve(root.home, System.getenv("SLUICE_HOME"));
        SluiceServer server;
        try {
            server = SluiceServer.start(home, new SluiceServer.Options(bind, port, new Resources(milliCpus, bytes), poolLimits, sinks, allowPrivate,
                    java.util.Optional.ofNullable(db)));
        } catch (SluiceServer.AlreadyRunning e) {
            throw new UserError(UserError.BAD, e.getMessage());
        } catch (io.sluice.store.UnsupportedDatabaseUrlException e) {
            throw new UserError(UserError.USAGE, e.getMessage());
        } catch (java.io.IOException | io.sluice.store.StoreException e) {
            throw new UserError(UserError.BAD, e.getMessage());
        }
        var out = spec.commandLine().getOut();
        out.println("sluice server on " + server.url() + ", home " + home.root() + " (" + (milliCpus / 1000.0) + " cpus, "
                + Sizes.format(bytes) + (poolLimits.isEmpty() ? "" : ", pools " + poolLimits) + ")");
        out.println("admin token in " + home.root().resolve(io.sluice.server.Tokens.CREDENTIALS) + "; stop with SIGTERM or Ctrl-C");
        out.flush();
        deployAtStart(server, home, out);
        CountDownLatch stopped = new CountDownLatch(1);
        Interrupts.onInterrupt(cause -> {
            server.close();
            stopped.countDown();
        });
        stopped.await();
        out.println("sluice server stopped; running tasks go on and the next start takes them over");
        out.flush();
        return 0;
    }

    /** --deploy: each directory goes through the server's own gate, like a client's deploy. */
    private void deployAtStart(SluiceServer server, SluiceHome home, java.io.PrintWriter out) {
        if (deploy.isEmpty()) {
            return;
        }
        ServerClient self = ServerClient.of(server.url(), io.sluice.server.Tokens.fromCredentials(home.root()).orElseThrow());
        for (String path : PipelinePaths.distinct(deploy)) {
            try {
                var loaded = PipelinePaths.load(path);
                var d = self.postBytes("/api/v1/pipelines", io.sluice.engine.Bundles.zip(loaded.files()));
                String outcome = d.path("outcome").asString();
                out.println("deploy " + path + ": " + d.path("pipeline").asString() + " " + outcome.replace('_', ' ')
                        + (outcome.equals("refused") ? ": " + String.join("; ", d.path("reasons").valueStream().map(r -> r.asString()).toList()) : ""));
            } catch (UserError | java.io.IOException e) {
                out.println("deploy " + path + ": " + e.getMessage());
            }
            out.flush();
        }
    }

    private static long parseCpus(String text) {
        if (!text.matches("\\d{1,5}(\\.\\d{1,3})?") || new BigDecimal(text).signum() <= 0) {
            throw UserError.usage("--cpus '" + text + "': a number of CPUs such as 2 or 0.5");
        }
        return new BigDecimal(text).movePointRight(3).longValueExact();
    }
}
