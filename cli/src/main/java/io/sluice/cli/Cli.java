package io.sluice.cli;

import io.sluice.engine.SluiceHome;
import io.sluice.store.Database;
import io.sluice.store.RunStore;
import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** What a command works with: the home, its database (opened on first use), the output streams. */
final class Cli implements AutoCloseable {
    /** Made on first use: building a mapper costs a cold JVM about 30 ms, and most commands print no JSON. */
    private static final class Json {
        static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    }

    final SluiceHome home;
    final PrintWriter out;
    final PrintWriter err;
    final Clock clock = Clock.systemUTC();
    private Database database;
    private RunStore store;
    private io.sluice.store.GateStore gate;
    private final Sluice root;
    private java.util.Optional<ServerClient> server;

    Cli(Sluice root, CommandLine.Model.CommandSpec spec) {
        this.root = root;
        this.home = SluiceHome.resolve(root.home, System.getenv("SLUICE_HOME"));
        this.out = spec.commandLine().getOut();
        this.err = spec.commandLine().getErr();
    }

    RunStore store() {
        if (store == null) {
            database = opening == null ? Database.forHome(home.root(), java.util.Optional.empty()) : opened();
            store = new RunStore(database, clock);
        }
        return store;
    }

    /** The home's database being opened on a thread of its own, or null. */
    private java.util.concurrent.CompletableFuture<Database> opening;

    /**
     * Starts opening the home's database beside the caller, which has other work first (a run
     * reads and checks its pipeline meanwhile): on two cores that hides most of the 30-40 ms a
     * cold JVM takes to open SQLite. {@link #store()} waits for it; its errors surface there.
     */
    void openStoreAhead() {
        if (store != null || opening != null) {
            return;
        }
        java.util.concurrent.CompletableFuture<Database> future = new java.util.concurrent.CompletableFuture<>();
        opening = future;
        Thread.ofPlatform().daemon().name("sluice-open-home").start(() -> {
            try {
                future.complete(Database.forHome(home.root(), java.util.Optional.empty()));
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        });
    }

    private Database opened() {
        try {
            return opening.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw e;
        }
    }

    io.sluice.store.GateStore gate() {
        store();
        if (gate == null) {
            gate = new io.sluice.store.GateStore(database, clock);
        }
        return gate;
    }

    /** The server's own records in the home: tokens, secrets, alert deliveries. */
    io.sluice.store.ServerStore serverStore() {
        store();
        return new io.sluice.store.ServerStore(database, clock);
    }

    /** The server to go through (SPEC §6): --server, $SLUICE_SERVER, or one running on this home. */
    java.util.Optional<ServerClient> server() {
        if (server == null) {
            server = ServerClient.find(root, home);
        }
        return server;
    }

    /** A value as a JSON tree, so that what the home and what a server answer render alike. */
    static tools.jackson.databind.JsonNode tree(Object value) {
        return Json.MAPPER.valueToTree(value);
    }

    /** Who acts, for the audit log: the OS user (the API token's name once there is a server). */
    static String who() {
        return System.getProperty("user.name", "unknown");
    }

    /** --home as the user gave it, to repeat in hints. */
    String homeFlag() {
        return root.home == null ? "" : " --home " + root.home;
    }

    void printJson(Object value) {
        out.println(Json.MAPPER.writeValueAsString(value));
        out.flush();
    }

    @Override
    public void close() {
        if (database == null && opening != null) {
            // opened ahead but never used (the pipeline was invalid): close it once it is open
            opening.thenAccept(Database::close);
        }
        if (database != null) {
            database.close();
        }
    }
}
