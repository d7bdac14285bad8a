package io.sluice.server;

import io.javalin.Javalin;
import io.sluice.definition.AlertSink;
import io.sluice.definition.Resources;
import io.sluice.engine.SharedAdmission;
import io.sluice.engine.SluiceHome;
import io.sluice.engine.VersionStorage;
import io.sluice.executor.LocalExecutor;
import io.sluice.store.Database;
import io.sluice.store.FleetStore;
import io.sluice.store.GateStore;
import io.sluice.store.RecoveryStore;
import io.sluice.store.RunStore;
import io.sluice.store.ServerStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Sluice server (SPEC §7) on a home: the scheduler, the runs it admits and drives, alerts, and
 * the REST API. One per home. Stopping it lets go of running runs without stopping them; the next
 * start takes them over, as after a crash.
 */
public final class SluiceServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SluiceServer.class);

    /** How the server was started: where it listens, what it may use, where alerts go. */
    public record Options(String bind, int port, Resources capacity, Map<String, Integer> pools, List<AlertSink> defaultSinks,
                          boolean allowPrivateWebhooks, java.util.Optional<String> db) {
        public Options(String bind, int port, Resources capacity, Map<String, Integer> pools, List<AlertSink> defaultSinks,
                       boolean allowPrivateWebhooks) {
            this(bind, port, capacity, pools, defaultSinks, allowPrivateWebhooks, java.util.Optional.empty());
        }
    }

    /** Another server holds the home. */
    public static final class AlreadyRunning extends Exception {
        public AlreadyRunning(String message) {
            super(message);
        }
    }

    private final ServerLock lock;
    private final Database database;
    private final LocalExecutor executor;
    private final RunManager manager;
    private final Scheduler scheduler;
    private final Alerts alerts;
    private final Javalin http;
    private final String url;

    private final Fleet fleet;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private SluiceServer(ServerLock lock, Database database, LocalExecutor executor, RunManager manager, Scheduler scheduler,
                         Alerts alerts, Javalin http, String url, Fleet fleet) {
        this.fleet = fleet;
        this.lock = lock;
        this.database = database;
        this.executor = executor;
        this.manager = manager;
        this.scheduler = scheduler;
        this.alerts = alerts;
        this.http = http;
        this.url = url;
    }

    public static SluiceServer start(SluiceHome home, Options options) throws IOException, AlreadyRunning {
        Clock clock = Clock.systemUTC();
        Database database = Database.forHome(home.root(), options.db());
        ServerLock lock;
        if (database.shared()) {
            // servers on a shared database may share a home too: they agree through the database
            lock = ServerLock.shared(home.root());
            rememberDatabase(home, options.db());
        } else {
            java.util.Optional<ServerLock> exclusive = ServerLock.acquire(home.root());
            if (exclusive.isEmpty()) {
                database.close();
                throw new AlreadyRunning("another Sluice server runs on the home " + home.root() + existing(home));
            }
            lock = exclusive.get();
        }
        RunStore runs = new RunStore(database, clock);
        GateStore gate = new GateStore(database, clock);
        ServerStore server = new ServerStore(database, clock);
        Tokens tokens = new Tokens(server);
        tokens.ensureAdmin(home.root());
        LocalExecutor executor = new LocalExecutor();
        SharedAdmission admission = new SharedAdmission(options.capacity(), options.pools());
        VersionStorage storage = new VersionStorage(home);
        RunSpecs specs = new RunSpecs(runs, storage, home, options.capacity(), gate::bundle);
        String[] baseUrl = {"http://" + options.bind() + ":" + options.port()};
        Alerts alerts = new Alerts(server, runs, options.defaultSinks(), options.allowPrivateWebhooks(), baseUrl[0]);
        FleetStore fleetStore = new FleetStore(database, clock);
        Fleet fleet = new Fleet(fleetStore, database.shared(), Fleet.leaseFromEnvironment(), hostName());
        Recovery[] recovery = {null};
        Metrics[] metrics = {null};
        RunManager manager = new RunManager(runs, gate, home, executor, admission, specs, clock,
                () -> environment(server), (run, spec) -> {
                    alerts.runEnded(run, spec);
                    if (metrics[0] != null) {
                        metrics[0].runEnded(run);
                    }
                    if (fleet.holdsDuties()) {
                        recovery[0].run(); // a plan being applied may clear its next step now
                    }
                }, fleet, fleetStore);
        recovery[0] = new Recovery(runs, new RecoveryStore(database, clock), gate, specs, manager::reconsiderSoon, clock,
                (int) Math.max(2, Math.ceil(options.capacity().milliCpus() / 1000.0)));
        StuckWatch stuck = new StuckWatch(runs, server, specs, alerts, clock);
        // each tick also looks again at waiting runs: an upstream can succeed without this server
        // noticing (a run on the home by another process), and then its downstream must not wait for ever
        Runnable recoveryDuty = recovery[0];
        Scheduler scheduler = new Scheduler(gate, runs, specs, manager, clock, List.of(
                () -> {
                    if (fleet.holdsDuties()) {
                        stuck.run();
                        recoveryDuty.run();
                    }
                },
                manager::reconsiderSoon), fleet::holdsDuties);
        metrics[0] = new Metrics(server, runs, admission, scheduler);
        metrics[0].watch(fleet);
        Deployer deployer = new Deployer(gate, runs, storage, home.root().resolve("incoming"), clock, scheduler::replan);
        ServerStatus status = new ServerStatus(admission, manager, scheduler, home.root().toString(), fleet, database.description());
        Javalin http = new Api(runs, gate, server, tokens, manager, specs, deployer, scheduler, status, clock, recovery[0],
                new io.sluice.engine.Cleanup(runs, home, specs::find, () -> environment(server)),
                new io.sluice.engine.ActionRunner(runs, home, () -> environment(server)), metrics[0]).create();
        try {
            http.start(options.bind(), options.port());
        } catch (RuntimeException e) {
            executor.close();
            database.close();
            lock.close();
            throw new IOException("cannot listen on " + options.bind() + ":" + options.port() + ": " + rootMessage(e), e);
        }
        String url = "http://" + (options.bind().contains(":") ? "[" + options.bind() + "]" : options.bind()) + ":" + http.port();
        lock.publish(url);
        alerts.linkTo(linkBase(options.bind(), http.port(), url));
        fleet.onDead(manager::takeOverFrom);
        fleet.onBeat(manager::afterBeat);
        fleet.join(home.root().toString());
        fleet.publishUrl(url);
        SluiceServer started = new SluiceServer(lock, database, executor, manager, scheduler, alerts, http, url, fleet);
        fleet.onFenced(() -> {
            // the others judged this server dead and may drive its runs now: it must not go on
            LOG.error("this server was judged dead by the others sharing the database (no beat for the lease time); it stops");
            Thread.ofPlatform().start(() -> System.exit(3));
        });
        manager.recover();
        fleet.start();
        scheduler.start();
        return started;
    }

    private static String existing(SluiceHome home) {
        try {
            return " (" + java.nio.file.Files.readString(home.root().resolve(ServerLock.INFO)).trim() + ")";
        } catch (IOException e) {
            return "";
        }
    }

    /** Tasks inherit the server's environment, with the secret store's values as SLUICE_SECRET_NAME. */
    private static Map<String, String> environment(ServerStore server) {
        Map<String, String> env = new HashMap<>(System.getenv());
        server.secrets().forEach((name, value) -> env.put("SLUICE_SECRET_" + name, value));
        return env;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.stop();
        http.stop();
        manager.stop(Duration.ofSeconds(30));
        fleet.close();
        alerts.stop();
        executor.close();
        database.close();
        try {
            lock.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }

    /** A server started with --db leaves the URL in its home, so that CLI commands there use the same database. */
    private static void rememberDatabase(SluiceHome home, java.util.Optional<String> db) throws IOException {
        if (db.isEmpty()) {
            return; // $SLUICE_DB_URL: the commands see it too
        }
        java.nio.file.Path file = home.root().resolve(Database.URL_FILE);
        java.nio.file.Path tmp = home.root().resolve(Database.URL_FILE + ".tmp");
        java.nio.file.Files.deleteIfExists(tmp);
        java.nio.file.Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.writeString(tmp, db.get() + "\n");
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The base of links in alerts: the listening URL, with the machine's name when bound to every address. */
    private static String linkBase(String bind, int port, String url) {
        if (!bind.equals("0.0.0.0") && !bind.equals("::") && !bind.equals("[::]")) {
            return url;
        }
        try {
            return "http://" + java.net.InetAddress.getLocalHost().getCanonicalHostName() + ":" + port;
        } catch (java.io.IOException e) {
            return url;
        }
    }
}
