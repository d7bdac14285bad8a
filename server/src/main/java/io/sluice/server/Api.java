package io.sluice.server;

import io.sluice.engine.Bundles;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.json.JavalinJackson3;
import io.sluice.definition.Ids;
import io.sluice.definition.Pipeline;
import io.sluice.engine.LogTail;
import io.sluice.schedule.Interval;
import io.sluice.schedule.InvalidDateException;
import io.sluice.schedule.LogicalDates;
import io.sluice.store.AttemptRecord;
import io.sluice.store.GateStore;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.ServerStore;
import io.sluice.store.UnknownRunException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API, {@code /api/v1} (SPEC §7): JSON over HTTP, a bearer token on every call, the role
 * checked on every endpoint, errors as {@code {"error": {"code", "message"}}}. {@code /healthz} is open.
 */
final class Api {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String RUN_ID = "[a-z0-9]{4,64}";

    private final RunStore runs;
    private final GateStore gate;
    private final ServerStore server;
    private final Tokens tokens;
    private final RunManager manager;
    private final RunSpecs specs;
    private final Deployer deployer;
    private final Scheduler scheduler;
    private final ServerStatus status;
    private final Clock clock;
    private final Recovery recovery;
    private final io.sluice.engine.Cleanup cleanup;
    private final io.sluice.engine.ActionRunner actions;
    private final Metrics metrics;

    Api(RunStore runs, GateStore gate, ServerStore server, Tokens tokens, RunManager manager, RunSpecs specs, Deployer deployer,
        Scheduler scheduler, ServerStatus status, Clock clock, Recovery recovery, io.sluice.engine.Cleanup cleanup,
        io.sluice.engine.ActionRunner actions, Metrics metrics) {
        this.metrics = metrics;
        this.actions = actions;
        this.recovery = recovery;
        this.cleanup = cleanup;
        this.runs = runs;
        this.gate = gate;
        this.server = server;
        this.tokens = tokens;
        this.manager = manager;
        this.specs = specs;
        this.deployer = deployer;
        this.scheduler = scheduler;
        this.status = status;
        this.clock = clock;
    }

    Javalin create() {
        return Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson3(JSON, false));
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = Bundles.MAX_BYTES;
            config.concurrency.useVirtualThreads = false; // handlers use SQLite, whose native busy wait would pin carriers
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            var r = config.routes;
            r.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
            new WebUi(runs, gate, server, tokens, manager, specs, recovery, this::mask, clock).routes(r);
            r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            r.get("/api/v1/status", secured(Role.VIEWER, ctx -> ctx.json(status.json())));
            r.get("/api/v1/pipelines", secured(Role.VIEWER, this::pipelines));
            r.post("/api/v1/pipelines", secured(Role.ADMIN, this::deploy));
            r.get("/api/v1/pipelines/{id}/versions", secured(Role.VIEWER, this::versions));
            r.post("/api/v1/pipelines/{id}/rollback", secured(Role.ADMIN, this::rollback));
            r.post("/api/v1/pipelines/{id}/runs", secured(Role.OPERATOR, this::createRun));
            r.post("/api/v1/pipelines/{id}/backfill", secured(Role.OPERATOR, this::backfill));
            r.get("/api/v1/runs", secured(Role.VIEWER, this::listRuns));
            r.get("/api/v1/runs/{id}", secured(Role.VIEWER, ctx -> {
                RunRecord run = run(ctx);
                ctx.json(RunJson.run(run, runs.tasks(run.id())));
            }));
            r.get("/api/v1/runs/{id}/why", secured(Role.VIEWER, ctx -> ctx.json(Explanations.json(runs, run(ctx), this::mask))));
            r.get("/api/v1/runs/{id}/logs", secured(Role.VIEWER, this::logs));
            r.post("/api/v1/runs/{id}/cancel", secured(Role.OPERATOR, this::cancel));
            r.post("/api/v1/runs/{id}/clear", secured(Role.OPERATOR, ctx -> clear(ctx, run(ctx))));
            r.post("/api/v1/pipelines/{id}/clear", secured(Role.OPERATOR, ctx -> clear(ctx, runOfDate(ctx))));
            r.post("/api/v1/recover/plans", secured(Role.OPERATOR, this::plan));
            r.get("/api/v1/recover/plans/{plan}", secured(Role.VIEWER, ctx -> ctx.json(recovery.show(planId(ctx)))));
            r.post("/api/v1/recover/plans/{plan}/apply", secured(Role.OPERATOR, ctx -> ctx.json(recovery.apply(planId(ctx), who(ctx)))));
            r.get("/api/v1/cleanup", secured(Role.OPERATOR, ctx -> ctx.json(cleanupJson(cleanup.find(), who(ctx), false))));
            r.post("/api/v1/cleanup", secured(Role.OPERATOR, ctx -> {
                var found = cleanup.find();
                var done = cleanup.apply(who(ctx));
                var m = cleanupJson(found, who(ctx), true);
                m.put("done", done);
                ctx.json(m);
            }));
            r.post("/api/v1/pipelines/{id}/actions/{name}", secured(Role.OPERATOR, this::startAction));
            r.get("/api/v1/actions/{action}", secured(Role.VIEWER, this::action));
            r.get("/api/v1/audit", secured(Role.VIEWER, this::audit));
            r.get("/api/v1/alerts", secured(Role.VIEWER, ctx -> ctx.json(Map.of("deliveries", server.deliveries(200)))));
            r.get("/api/v1/tokens", secured(Role.ADMIN, ctx -> ctx.json(Map.of("tokens", server.tokens().stream()
                    .map(t -> RunJson.object("name", t.name(), "role", t.role())).toList()))));
            r.post("/api/v1/tokens", secured(Role.ADMIN, this::createToken));
            r.get("/api/v1/secrets", secured(Role.ADMIN, ctx -> ctx.json(Map.of("secrets", server.secretNames()))));
            r.put("/api/v1/secrets/{name}", secured(Role.ADMIN, this::setSecret));
            r.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
            r.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal", "internal error (the server log has the details)");
            });
            r.error(404, ctx -> {
                boolean page = ctx.result() != null && String.valueOf(ctx.res().getContentType()).startsWith("text/html");
                if (!page && (ctx.result() == null || !ctx.result().startsWith("{\"error\""))) {
                    error(ctx, 404, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path());
                }
            });
            r.error(405, ctx -> error(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
        });
    }

    private static void error(Context ctx, int status, String code, String message) {
        ctx.status(status).json(RunJson.object("error", RunJson.object("code", code, "message", message)));
    }

    /** Wraps a handler with the token check: 401 without a valid token, 403 when its role is too low. */
    private Handler secured(Role required, Handler handler) {
        return ctx -> {
            String header = ctx.header("Authorization");
            if (header == null || !header.startsWith("Bearer ")) {
                throw new ApiError(401, "unauthenticated", "this endpoint needs Authorization: Bearer TOKEN");
            }
            ServerStore.Token token = tokens.check(header.substring("Bearer ".length()).trim())
                    .orElseThrow(() -> new ApiError(401, "unauthenticated", "the token is not valid"));
            Role role = Role.fromWireName(token.role()).orElse(Role.VIEWER);
            if (!role.covers(required)) {
                throw new ApiError(403, "forbidden", "token '" + token.name() + "' is " + role.wireName() + "; this needs " + required.wireName());
            }
            ctx.attribute("who", token.name());
            handler.handle(ctx);
        };
    }

    private static String who(Context ctx) {
        return ctx.attribute("who");
    }

    private RunRecord run(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches(RUN_ID)) {
            throw ApiError.badRequest("'" + id + "' is not a run id");
        }
        try {
            return runs.run(id);
        } catch (UnknownRunException e) {
            throw ApiError.notFound(e.getMessage());
        }
    }

    private String pipelineId(Context ctx) {
        String id = ctx.pathParam("id");
        if (!Ids.isValid(id)) {
            throw ApiError.badRequest("'" + id + "' is not a pipeline id");
        }
        return id;
    }

    private JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("the body is not JSON");
        }
    }

    private void pipelines(Context ctx) {
        List<Map<String, Object>> list = new ArrayList<>();
        gate.activeVersions().forEach((id, version) -> {
            Pipeline p = specs.definition(version).pipeline();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("active_version", version);
            m.put("schedule", p.schedule().map(Object::toString).orElse(null));
            m.put("timezone", p.timezone().getId());
            m.put("depends_on", p.dependsOn().stream().map(d -> d.pipeline()).toList());
            list.add(m);
        });
        ctx.json(Map.of("pipelines", list));
    }

    private void deploy(Context ctx) throws Exception {
        byte[] bundle = ctx.bodyAsBytes();
        if (bundle.length == 0) {
            throw ApiError.badRequest("send the pipeline directory as a zip bundle (sluice deploy does)");
        }
        var decision = deployer.deploy(bundle, who(ctx));
        ctx.status(decision.refused() ? 422 : 200).json(Deployer.json(decision));
    }

    private void versions(Context ctx) {
        String id = pipelineId(ctx);
        Map<String, Object> versions = GateJson.versions(gate, id);
        if (((List<?>) versions.get("versions")).isEmpty()) {
            throw ApiError.notFound("no versions of '" + id + "' (sluice deploy PATH tests and stores one)");
        }
        ctx.json(versions);
    }

    private void rollback(Context ctx) {
        String id = pipelineId(ctx);
        String prefix = body(ctx).path("version").asString("");
        if (!prefix.matches("[0-9a-f]{4,64}")) {
            throw ApiError.badRequest("give \"version\": 4 or more of its hex digits");
        }
        var matches = gate.versions(id).stream().filter(v -> v.version().startsWith(prefix)).toList();
        if (matches.size() != 1) {
            throw matches.isEmpty() ? ApiError.notFound(id + " has no version " + prefix) : ApiError.badRequest("version " + prefix + " is ambiguous");
        }
        var v = matches.get(0);
        if (v.greenAt().isEmpty() || v.storedPath().isEmpty()) {
            gate.audit(who(ctx), "rollback", id + "@" + v.version().substring(0, 12), "refused", "never passed the gate");
            throw new ApiError(409, "refused", "version " + v.version().substring(0, 12) + " never passed the gate");
        }
        Optional<String> current = gate.activeVersion(id);
        if (!v.active() && !gate.activate(id, v.version(), current, who(ctx), "rollback")) {
            throw new ApiError(409, "conflict", "another deploy or rollback happened meanwhile; try again");
        }
        gate.audit(who(ctx), "rollback", id + "@" + v.version().substring(0, 12), v.active() ? "unchanged (already active)" : "activated", null);
        scheduler.replan();
        ctx.json(RunJson.object("pipeline", id, "active_version", v.version()));
    }

    private void createRun(Context ctx) throws Exception {
        String id = pipelineId(ctx);
        String version = gate.activeVersion(id).orElseThrow(() -> ApiError.notFound("no pipeline '" + id + "' is deployed"));
        Pipeline p = specs.definition(version).pipeline();
        JsonNode body = body(ctx);
        Optional<String> date = body.hasNonNull("date") ? Optional.of(body.get("date").asString()) : Optional.empty();
        Map<String, String> params = new LinkedHashMap<>(p.params());
        body.path("params").properties().forEach(e -> {
            if (!p.params().containsKey(e.getKey())) {
                throw ApiError.badRequest("'" + e.getKey() + "' is not a param of " + id + "; declared: " + String.join(", ", p.params().keySet()));
            }
            String value = e.getValue().asString();
            if (value.indexOf('\0') >= 0) {
                throw ApiError.badRequest("param '" + e.getKey() + "' contains a NUL character");
            }
            params.put(e.getKey(), value);
        });
        Interval interval;
        try {
            interval = LogicalDates.manual(p.schedule(), p.timezone(), date, clock.instant());
        } catch (InvalidDateException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        String runId = manager.create(id, RunKind.MANUAL, interval, LogicalDates.format(interval, p.schedule(), p.timezone()), params)
                .orElseThrow();
        gate.audit(who(ctx), "run", id + " " + runId, "created", null);
        RunRecord run = runs.run(runId);
        ctx.status(201).json(RunJson.run(run, runs.tasks(runId)));
    }

    private void backfill(Context ctx) throws Exception {
        String id = pipelineId(ctx);
        String version = gate.activeVersion(id).orElseThrow(() -> ApiError.notFound("no pipeline '" + id + "' is deployed"));
        Pipeline p = specs.definition(version).pipeline();
        JsonNode body = body(ctx);
        Interval first;
        Interval last;
        try {
            first = LogicalDates.manual(p.schedule(), p.timezone(), Optional.of(body.path("from").asString("")), clock.instant());
            last = LogicalDates.manual(p.schedule(), p.timezone(), Optional.of(body.path("to").asString("")), clock.instant());
        } catch (InvalidDateException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        if (last.start().isBefore(first.start())) {
            throw ApiError.badRequest("'to' is before 'from'");
        }
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        Interval i = first;
        for (int n = 0; !i.start().isAfter(last.start()); n++) {
            if (n >= 10_000) {
                throw ApiError.badRequest("more than 10,000 intervals; backfill a shorter range");
            }
            String date = LogicalDates.format(i, p.schedule(), p.timezone());
            manager.create(id, RunKind.BACKFILL, i, date, p.params()).ifPresentOrElse(created::add, () -> existing.add(date));
            i = next(p, i);
        }
        gate.audit(who(ctx), "backfill", id, created.size() + " runs created", existing.isEmpty() ? null : "already had runs: " + existing);
        ctx.status(201).json(RunJson.object("runs", created.stream().map(r -> RunJson.run(runs.run(r), runs.tasks(r))).toList(),
                "already_there", existing));
    }

    private static Interval next(Pipeline p, Interval i) throws InvalidDateException {
        if (p.schedule().isEmpty()) {
            return new Interval(i.end(), i.end().atZone(p.timezone()).plusDays(1).toInstant());
        }
        return LogicalDates.intervalStartingAt(p.schedule().get(), i.end().atZone(p.timezone()));
    }

    private void listRuns(Context ctx) {
        Optional<String> pipeline = Optional.ofNullable(ctx.queryParam("pipeline")).filter(s -> !s.isBlank());
        pipeline.filter(s -> !Ids.isValid(s)).ifPresent(s -> {
            throw ApiError.badRequest("'" + s + "' is not a pipeline id");
        });
        int limit;
        try {
            limit = Integer.parseInt(Optional.ofNullable(ctx.queryParam("limit")).orElse("20"));
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("limit must be a number");
        }
        if (limit < 1 || limit > 10_000) {
            throw ApiError.badRequest("limit must be from 1 to 10000");
        }
        ctx.json(Map.of("runs", runs.runs(pipeline, limit).stream().map(r -> RunJson.run(r, runs.tasks(r.id()))).toList()));
    }

    private void logs(Context ctx) {
        RunRecord run = run(ctx);
        Optional<Integer> attempt = Optional.ofNullable(ctx.queryParam("attempt")).map(a -> number(a, "attempt").intValue());
        Optional<Long> from = Optional.ofNullable(ctx.queryParam("from")).map(f -> number(f, "from"));
        boolean text = !"false".equals(ctx.queryParam("text"));
        try {
            ctx.json(LogsJson.json(run, runs.tasks(run.id()), runs.attempts(run.id()),
                    new LogsJson.Query(Optional.ofNullable(ctx.queryParam("task")), attempt, from, text), this::mask));
        } catch (LogsJson.UnknownTaskException e) {
            throw ApiError.notFound(e.getMessage());
        }
    }

    private static Long number(String value, String name) {
        try {
            long n = Long.parseLong(value);
            if (n < 0) {
                throw ApiError.badRequest(name + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be a number");
        }
    }

    /** Secret values never leave the server: any that a log still holds (one still being written) shows as ***. */
    private String mask(String text) {
        String masked = text;
        List<String> secrets = new ArrayList<>(server.secrets().values());
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("SLUICE_SECRET_")) {
                secrets.add(v);
            }
        });
        for (String secret : secrets) {
            if (secret.length() >= 3) {
                masked = masked.replace(secret, "***");
            }
        }
        return masked;
    }

    private void cancel(Context ctx) {
        RunRecord run = run(ctx);
        if (run.state().isTerminal()) {
            throw new ApiError(409, "conflict", "run " + run.id() + " has ended (" + run.state().wireName() + ")");
        }
        String cause = "cancelled by " + who(ctx);
        if (!manager.cancel(run.id(), cause)) {
            runs.write(w -> w.requestCancel(run.id()));
            manager.reconsiderSoon();
        }
        gate.audit(who(ctx), "cancel", run.pipeline() + " " + run.id(), "requested", null);
        ctx.status(202).json(RunJson.object("run", run.id(), "cancel", "requested"));
    }

    /** The newest run of the pipeline (not a dev run) for the logical date in the body's "date". */
    private RunRecord runOfDate(Context ctx) {
        String id = pipelineId(ctx);
        String date = body(ctx).path("date").asString("");
        if (date.isBlank()) {
            throw ApiError.badRequest("give \"date\": the logical date of the run to clear");
        }
        return runs.runs(Optional.of(id), 100_000).stream()
                .filter(r -> r.kind() != RunKind.DEV && r.kind() != RunKind.TEST)
                .filter(r -> r.logicalDate().equals(date) || r.logicalDate().startsWith(date + "T"))
                .findFirst()
                .orElseThrow(() -> ApiError.notFound("no run of " + id + " for " + date));
    }

    private void clear(Context ctx, RunRecord run) {
        JsonNode body = body(ctx);
        List<String> tasks = new ArrayList<>();
        JsonNode named = body.path("tasks");
        if (!named.isMissingNode() && !named.isNull() && !named.isArray()) {
            throw ApiError.badRequest("\"tasks\" must be a list of task ids");
        }
        named.forEach(n -> {
            if (!Ids.isValid(n.asString(""))) {
                throw ApiError.badRequest("'" + n.asString("") + "' is not a task id");
            }
            tasks.add(n.asString());
        });
        ctx.json(recovery.clear(run, tasks, body.path("downstream").asBoolean(false), body.path("dry_run").asBoolean(false), who(ctx)));
    }

    private void plan(Context ctx) {
        JsonNode body = body(ctx);
        java.util.Set<String> pipelines = new java.util.TreeSet<>();
        body.path("pipelines").forEach(n -> {
            if (!Ids.isValid(n.asString(""))) {
                throw ApiError.badRequest("'" + n.asString("") + "' is not a pipeline id");
            }
            pipelines.add(n.asString());
        });
        Optional<Instant> since = body.hasNonNull("since") ? Optional.of(sinceOf(body.get("since").asString(""))) : Optional.empty();
        ctx.status(201).json(recovery.plan(pipelines, since, body.path("include_downstream").asBoolean(false), who(ctx)));
    }

    /** A date (midnight UTC) or an instant. */
    private static Instant sinceOf(String text) {
        try {
            return text.length() == 10 ? java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("since must be a date such as 2026-01-01 or an instant such as 2026-01-01T00:00:00Z");
        }
    }

    private static String planId(Context ctx) {
        String id = ctx.pathParam("plan");
        if (!id.matches(RUN_ID)) {
            throw ApiError.badRequest("'" + id + "' is not a plan id");
        }
        return id;
    }

    private Map<String, Object> cleanupJson(List<io.sluice.engine.Cleanup.Leftover> found, String who, boolean applied) {
        gate.audit(who, "cleanup", applied ? "apply" : "list", found.size() + (found.size() == 1 ? " leftover" : " leftovers")
                + (applied ? " removed" : " found"), null);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("leftovers", found.stream().map(l -> RunJson.object("kind", l.kind(), "run", l.run(), "what", l.what(), "detail", l.detail())).toList());
        m.put("applied", applied);
        return m;
    }

    /** Starts a declared fix script (or, with "dry_run", says what it would run); 202 with its id. */
    private void startAction(Context ctx) throws Exception {
        String id = pipelineId(ctx);
        String name = ctx.pathParam("name");
        if (!Ids.isValid(name)) {
            throw ApiError.badRequest("'" + name + "' is not an action name");
        }
        String version = gate.activeVersion(id).orElseThrow(() -> ApiError.notFound("no pipeline '" + id + "' is deployed"));
        Pipeline p = specs.definition(version).pipeline();
        io.sluice.definition.Action action = p.actions().get(name);
        if (action == null) {
            throw ApiError.notFound(id + " declares no action '" + name + "'"
                    + (p.actions().isEmpty() ? " (it declares none)" : " (its actions: " + String.join(", ", p.actions().keySet()) + ")"));
        }
        JsonNode body = body(ctx);
        Optional<String> date = body.hasNonNull("date") ? Optional.of(body.get("date").asString()) : Optional.empty();
        Interval interval;
        try {
            interval = LogicalDates.manual(p.schedule(), p.timezone(), date, clock.instant());
        } catch (InvalidDateException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        String logicalDate = LogicalDates.format(interval, p.schedule(), p.timezone());
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("pipeline", id);
        m.put("action", name);
        m.put("description", action.description().orElse(""));
        m.put("run", action.run());
        m.put("logical_date", logicalDate);
        m.put("version", version);
        if (body.path("dry_run").asBoolean(false)) {
            ctx.json(m);
            return;
        }
        var request = new io.sluice.engine.ActionRunner.Request(version, p, specs.files(version), action, logicalDate, interval, who(ctx));
        String actionId = actions.record(request);
        gate.audit(who(ctx), "action", id + " " + name, "started", "for " + logicalDate + ", action run " + actionId);
        String who = who(ctx);
        Thread.ofPlatform().daemon().name("sluice-action-" + actionId).start(() -> {
            int exit = actions.run(actionId, request);
            gate.audit(who, "action", id + " " + name, exit == 0 ? "succeeded" : "failed: exit " + exit, "action run " + actionId);
        });
        m.put("id", actionId);
        ctx.status(202).json(m);
    }

    private void action(Context ctx) {
        String id = ctx.pathParam("action");
        if (!id.matches(RUN_ID)) {
            throw ApiError.badRequest("'" + id + "' is not an action run id");
        }
        var a = runs.action(id).orElseThrow(() -> ApiError.notFound("no action run '" + id + "'"));
        long from = Optional.ofNullable(ctx.queryParam("from")).map(f -> number(f, "from").longValue()).orElse(0L);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", a.id());
        m.put("pipeline", a.pipeline());
        m.put("action", a.action());
        m.put("logical_date", a.logicalDate());
        m.put("who", a.who());
        m.put("started_at", a.startedAt().toString());
        m.put("ended_at", a.endedAt().map(Instant::toString).orElse(null));
        m.put("exit_code", a.exitCode().orElse(null));
        m.put("state", a.endedAt().isEmpty() ? "running" : a.exitCode().orElse(1) == 0 ? "succeeded" : "failed");
        byte[] log = new byte[0];
        try {
            java.nio.file.Path path = java.nio.file.Path.of(a.logPath());
            if (java.nio.file.Files.exists(path)) {
                try (var ch = java.nio.channels.FileChannel.open(path)) {
                    long size = ch.size();
                    long start = Math.max(0, Math.min(from, size));
                    int n = (int) Math.min(size - start, 1 << 20);
                    var buf = java.nio.ByteBuffer.allocate(n);
                    ch.read(buf, start);
                    log = buf.array();
                    from = start;
                }
            }
        } catch (java.io.IOException e) {
            throw new ApiError(500, "internal", "cannot read the action's log: " + e.getMessage());
        }
        m.put("log", mask(new String(log, java.nio.charset.StandardCharsets.UTF_8)));
        m.put("from", from);
        m.put("next", from + log.length);
        ctx.json(m);
    }

    private void audit(Context ctx) {
        Optional<Instant> since = Optional.ofNullable(ctx.queryParam("since")).map(s -> {
            try {
                return Instant.parse(s);
            } catch (RuntimeException e) {
                throw ApiError.badRequest("since must be an ISO instant such as 2026-01-01T00:00:00Z");
            }
        });
        int limit = Optional.ofNullable(ctx.queryParam("limit")).map(l -> number(l, "limit").intValue()).orElse(200);
        if (limit < 1 || limit > 100_000) {
            throw ApiError.badRequest("limit must be from 1 to 100000");
        }
        ctx.json(GateJson.audit(gate.audit(since, limit)));
    }

    private void createToken(Context ctx) {
        JsonNode body = body(ctx);
        String name = body.path("name").asString("");
        Role role = Role.fromWireName(body.path("role").asString("")).orElseThrow(() ->
                ApiError.badRequest("role must be viewer, operator or admin"));
        if (!name.matches("[A-Za-z0-9_.@-]{1,64}")) {
            throw ApiError.badRequest("name must be 1 to 64 letters, digits or _.@-");
        }
        String token = tokens.create(name, role, who(ctx)).orElseThrow(() -> new ApiError(409, "conflict", "a token named '" + name + "' exists"));
        gate.audit(who(ctx), "token", name, "created (" + role.wireName() + ")", null);
        ctx.status(201).json(RunJson.object("name", name, "role", role.wireName(), "token", token));
    }

    private void setSecret(Context ctx) {
        String name = ctx.pathParam("name");
        if (!Ids.isEnvName(name)) {
            throw ApiError.badRequest("a secret name is letters, digits and _, not starting with a digit");
        }
        String value = ctx.body();
        if (value.isEmpty() || value.length() > 64 * 1024 || value.indexOf('\0') >= 0) {
            throw ApiError.badRequest("the secret's value is the request body: 1 byte to 64 KiB, no NUL");
        }
        server.setSecret(name, value.endsWith("\n") ? value.substring(0, value.length() - 1) : value, who(ctx));
        gate.audit(who(ctx), "secret", name, "set", null);
        ctx.status(204);
    }
}
