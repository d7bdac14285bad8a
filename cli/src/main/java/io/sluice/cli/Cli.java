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
    static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    final SluiceHome home;
    final PrintWriter out;
    final PrintWriter err;
    final Clock clock = Clock.systemUTC();
    private Database database;
    private RunStore store;
    private io.sluice.store.GateStore gate;

    Cli(Sluice root, CommandLine.Model.CommandSpec spec) {
        this.home = SluiceHome.resolve(root.home, System.getenv("SLUICE_HOME"));
        this.out = spec.commandLine().getOut();
        this.err = spec.commandLine().getErr();
    }

    RunStore store() {
        if (store == null) {
            database = Database.open(home.root());
            store = new RunStore(database, clock);
        }
        return store;
    }

    io.sluice.store.GateStore gate() {
        store();
        if (gate == null) {
            gate = new io.sluice.store.GateStore(database, clock);
        }
        return gate;
    }

    /** Who acts, for the audit log: the OS user (the API token's name once there is a server). */
    static String who() {
        return System.getProperty("user.name", "unknown");
    }

    void printJson(Object value) {
        out.println(JSON.writeValueAsString(value));
        out.flush();
    }

    @Override
    public void close() {
        if (database != null) {
            database.close();
        }
    }
}
