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
            database = DatabaseAhead.take(home.root()).orElseGet(() -> Database.forCommand(home.root()));
            store = new RunStore(database, clock);
        }
        return store;
    }

    /** Starts opening the home's database beside the caller, which has other work first (see {@link DatabaseAhead}). */
    void openStoreAhead() {
        if (store == null) {
            DatabaseAhead.start(home.root());
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
        DatabaseAhead.discard(home.root());
        if (database != null) {
            database.close();
        }
    }
}
