package io.sluice.server;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.sluice.definition.Ids;
import io.sluice.definition.Pipeline;
import io.sluice.definition.Task;
import io.sluice.run.RunState;
import io.sluice.store.AuditEntry;
import io.sluice.store.GateStore;
import io.sluice.store.PlaybookGap;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.ServerStore;
import io.sluice.store.TaskRecord;
import io.sluice.store.TransitionRecord;
import io.sluice.store.UnknownRunException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The web UI (SPEC §7), rendered on the server: what is red, why, the playbook steps for it, and
 * the recovery plan to review and apply. Login with an API token; the session cookie is HttpOnly
 * and SameSite=Strict, and every form that changes something carries the session's CSRF token.
 * Roles are those of the token, as on the API. Pages refresh their main part every few seconds.
 */
final class WebUi {
    private static final String COOKIE = "sluice_session";
    private static final Duration SESSION_TTL = Duration.ofHours(12);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Session(String who, Role role, String csrf, Instant expires) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final RunStore runs;
    private final GateStore gate;
    private final ServerStore server;
    private final Tokens tokens;
    private final RunManager manager;
    private final RunSpecs specs;
    private final Recovery recovery;
    private final java.util.function.UnaryOperator<String> mask;
    private final Clock clock;

    WebUi(RunStore runs, GateStore gate, ServerStore server, Tokens tokens, RunManager manager, RunSpecs specs, Recovery recovery,
          java.util.function.UnaryOperator<String> mask, Clock clock) {
        this.runs = runs;
        this.gate = gate;
        this.server = server;
        this.tokens = tokens;
        this.manager = manager;
        this.specs = specs;
        this.recovery = recovery;
        this.mask = mask;
        this.clock = clock;
    }

    void routes(io.javalin.config.RoutesConfig r) {
        r.get("/static/app.css", ctx -> ctx.contentType("text/css; charset=utf-8").header("Cache-Control", "max-age=300").result(Html.CSS));
        r.get("/static/app.js", ctx -> ctx.contentType("text/javascript; charset=utf-8").header("Cache-Control", "max-age=300").result(Html.JS));
        r.get("/login", this::loginPage);
        r.post("/login", this::login);
        r.post("/logout", page(Role.VIEWER, true, this::logout));
        r.get("/", page(Role.VIEWER, false, this::pipelines));
        r.get("/pipelines/{id}", page(Role.VIEWER, false, this::pipeline));
        r.get("/runs/{id}", page(Role.VIEWER, false, this::run));
        r.get("/runs/{id}/logs/{task}/{attempt}", page(Role.VIEWER, false, this::log));
        r.post("/runs/{id}/cancel", page(Role.OPERATOR, true, this::cancel));
        r.post("/runs/{id}/clear", page(Role.OPERATOR, true, this::clear));
        r.get("/recovery", page(Role.VIEWER, false, this::recoveryPage));
        r.post("/recovery/plans", page(Role.OPERATOR, true, this::makePlan));
        r.get("/recovery/plans/{plan}", page(Role.VIEWER, false, this::plan));
        r.post("/recovery/plans/{plan}/apply", page(Role.OPERATOR, true, this::apply));
        r.get("/deployments", page(Role.VIEWER, false, this::deployments));
        r.get("/gaps", page(Role.VIEWER, false, this::gaps));
        r.get("/audit", page(Role.VIEWER, false, this::audit));
    }

    // ---- sessions, roles, CSRF -----------------------------------------------------------------

    private interface PageHandler {
        void handle(Context ctx, Session session) throws Exception;
    }

    /** A page or form: a live session with the role, and for a change, the session's CSRF token and a same-origin request. */
    private Handler page(Role required, boolean changes, PageHandler handler) {
        return ctx -> {
            Optional<Session> session = Optional.ofNullable(ctx.cookie(COOKIE)).map(sessions::get)
                    .filter(s -> s.expires().isAfter(clock.instant()));
            ctx.header("X-Frame-Options", "DENY");
            ctx.header("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:");
            ctx.header("Referrer-Policy", "same-origin");
            if (session.isEmpty()) {
                if (changes || ctx.header("X-Sluice-Partial") != null) {
                    ctx.status(401).contentType("text/html; charset=utf-8").result(shell("Log in", "", Optional.empty(),
                            "<p class=\"err\">Your session has ended. <a href=\"/login\">Log in</a> again.</p>"));
                } else {
                    ctx.redirect("/login?next=" + java.net.URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8));
                }
                return;
            }
            Session s = session.get();
            if (changes && !(sameOrigin(ctx) && constantTimeEquals(ctx.formParam("_csrf"), s.csrf()))) {
                ctx.status(403).contentType("text/html; charset=utf-8").result(shell("Refused", "", session,
                        "<p class=\"err\">Refused: this request did not come from a Sluice page (missing or wrong CSRF token).</p>"));
                return;
            }
            if (!s.role().covers(required)) {
                ctx.status(403).contentType("text/html; charset=utf-8").result(shell("Not allowed", "", session,
                        "<p class=\"err\">You are logged in as " + Html.esc(s.who()) + " (" + s.role().wireName() + "); this needs "
                                + required.wireName() + ".</p>"));
                return;
            }
            handler.handle(ctx, s);
        };
    }

    private static boolean sameOrigin(Context ctx) {
        String origin = Optional.ofNullable(ctx.header("Origin")).orElse(ctx.header("Referer"));
        if (origin == null || origin.equals("null")) {
            return origin == null; // no Origin at all: an old client; the CSRF token still has to match
        }
        String host = ctx.header("Host");
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host)
                || origin.startsWith("http://" + host + "/") || origin.startsWith("https://" + host + "/"));
    }

    private static boolean constantTimeEquals(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String random() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private void loginPage(Context ctx) {
        String next = safeNext(ctx.queryParam("next"));
        ctx.header("X-Frame-Options", "DENY");
        ctx.contentType("text/html; charset=utf-8").result(shell("Log in", "", Optional.empty(), loginForm(next, "")));
    }

    private static String loginForm(String next, String error) {
        return (error.isEmpty() ? "" : "<p class=\"err\">" + Html.esc(error) + "</p>")
                + "<div class=\"card\"><form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"next\" value=\"" + Html.esc(next) + "\">"
                + "<p><label for=\"token\">API token</label><br><input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" required></p>"
                + "<p class=\"muted\">The admin token is in $SLUICE_HOME/credentials; <code>sluice token create NAME --role viewer</code> makes others.</p>"
                + "<button type=\"submit\" class=\"go\" id=\"login\">Log in</button></form></div>";
    }

    private void login(Context ctx) {
        String next = safeNext(ctx.formParam("next"));
        Optional<ServerStore.Token> token = Optional.ofNullable(ctx.formParam("token")).map(String::trim).filter(t -> !t.isEmpty())
                .flatMap(tokens::check);
        if (token.isEmpty()) {
            ctx.status(401).contentType("text/html; charset=utf-8").result(shell("Log in", "", Optional.empty(), loginForm(next, "That token is not valid.")));
            return;
        }
        String id = random();
        sessions.values().removeIf(s -> s.expires().isBefore(clock.instant()));
        sessions.put(id, new Session(token.get().name(), Role.fromWireName(token.get().role()).orElse(Role.VIEWER), random(),
                clock.instant().plus(SESSION_TTL)));
        ctx.header("Set-Cookie", COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + SESSION_TTL.toSeconds());
        ctx.redirect(next);
    }

    private void logout(Context ctx, Session s) {
        sessions.remove(ctx.cookie(COOKIE));
        ctx.header("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        ctx.redirect("/login");
    }

    private static String safeNext(String next) {
        return next != null && next.startsWith("/") && !next.startsWith("//") && !next.contains("\\") ? next : "/";
    }

    // ---- layout ---------------------------------------------------------------------------------

    private static final String[][] NAV = {{"/", "Pipelines"}, {"/recovery", "Recovery"}, {"/deployments", "Deployments"},
            {"/gaps", "Playbook gaps"}, {"/audit", "Audit"}};

    private String shell(String title, String active, Optional<Session> session, String main) {
        StringBuilder nav = new StringBuilder();
        if (session.isPresent()) {
            for (String[] n : NAV) {
                nav.append("<a href=\"").append(n[0]).append("\"").append(n[0].equals(active) ? " class=\"on\"" : "").append(">")
                        .append(n[1]).append("</a>");
            }
            nav.append("<span class=\"who\">").append(Html.esc(session.get().who())).append(" (").append(session.get().role().wireName())
                    .append(")</span><form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"_csrf\" value=\"")
                    .append(Html.esc(session.get().csrf())).append("\"><button type=\"submit\">Log out</button></form>");
        }
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + Html.esc(title) + " · Sluice</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>"
                + "<header><span class=\"brand\">Sluice</span>" + nav + "</header>"
                + "<main" + (session.isPresent() ? " data-live" : "") + ">" + main + "</main>"
                + "<script src=\"/static/app.js\"></script></body></html>";
    }

    /** The whole page, or only its main part when the page's script asks for an update. */
    private void render(Context ctx, Session s, String title, String active, String main) {
        ctx.contentType("text/html; charset=utf-8");
        ctx.header("Cache-Control", "no-store");
        ctx.result(ctx.header("X-Sluice-Partial") != null ? main : shell(title, active, Optional.of(s), main));
    }

    private static String time(Optional<Instant> t) {
        return t.map(TIME::format).orElse("-");
    }

    private static String took(RunRecord r) {
        if (r.startedAt().isEmpty()) {
            return "-";
        }
        Duration d = Duration.between(r.startedAt().get(), r.endedAt().orElse(Instant.now()));
        return d.toSeconds() < 60 ? String.format("%.1fs", d.toMillis() / 1000.0) : d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }

    private String flash(Context ctx) {
        String f = ctx.queryParam("done");
        return f == null || f.isBlank() ? "" : "<p class=\"flash\">" + Html.esc(f) + "</p>";
    }

    // ---- pages ----------------------------------------------------------------------------------

    private void pipelines(Context ctx, Session s) {
        Map<String, String> active = gate.activeVersions();
        Map<String, List<RunStore.RunSquare>> recent = runs.recentRunsByPipeline(30);
        java.util.TreeSet<String> ids = new java.util.TreeSet<>(active.keySet());
        recent.keySet().stream().filter(Ids::isValid).forEach(ids::add);
        Html h = new Html();
        long failing = recent.values().stream().filter(l -> !l.isEmpty() && isBad(l.get(0).state())).count();
        h.raw("<h1>Pipelines</h1><p class=\"muted\">").text(ids.size() + " pipelines; " + failing + " with a failed newest run")
                .raw("</p><div class=\"scroll\"><table><tr><th>Pipeline</th><th>Recent runs (newest first)</th><th class=\"hide-sm\">Next run</th>"
                        + "<th class=\"hide-sm\">Active version</th></tr>");
        Instant now = clock.instant();
        for (String id : ids) {
            h.raw("<tr><td>").link("/pipelines/" + id, id).raw("</td><td>");
            for (RunStore.RunSquare r : recent.getOrDefault(id, List.of())) {
                String state = r.state().wireName();
                h.raw("<a class=\"sq ").raw(state).raw("\" href=\"/runs/").text(r.id()).raw("\" title=\"").text(r.logicalDate())
                        .raw(" ").raw(state).raw("\"></a>");
            }
            h.raw("</td><td class=\"hide-sm\">");
            String version = active.get(id);
            h.text(version == null ? "-" : nextRun(version, now)).raw("</td><td class=\"hide-sm\"><code>")
                    .text(version == null ? "not deployed" : version.substring(0, 12)).raw("</code></td></tr>");
        }
        h.raw("</table></div>");
        render(ctx, s, "Pipelines", "/", h.toString());
    }

    /** The next fire of each version's schedule, kept until it has passed: computing it is the costly part of the page. */
    private final Map<String, Instant> nextFire = new ConcurrentHashMap<>();

    private String nextRun(String version, Instant now) {
        Instant cached = nextFire.get(version);
        if (cached != null && cached.isAfter(now)) {
            return TIME.format(cached) + " UTC";
        }
        try {
            Pipeline p = specs.definition(version).pipeline();
            if (p.schedule().isEmpty()) {
                return "manual";
            }
            Optional<Instant> next = p.schedule().get().nextAfter(ZonedDateTime.ofInstant(now, p.timezone())).map(ZonedDateTime::toInstant);
            next.ifPresent(n -> nextFire.put(version, n));
            return next.map(n -> TIME.format(n) + " UTC").orElse("never");
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static boolean isBad(RunState s) {
        return s == RunState.FAILED || s == RunState.TIMED_OUT || s == RunState.CANCELLED;
    }

    private void pipeline(Context ctx, Session s) {
        String id = ctx.pathParam("id");
        if (!Ids.isValid(id)) {
            notFound(ctx, s, "no such pipeline");
            return;
        }
        Optional<String> version = gate.activeVersion(id);
        List<RunRecord> recent = runs.runs(Optional.of(id), 30).stream().filter(r -> r.kind() != RunKind.TEST).toList();
        if (version.isEmpty() && recent.isEmpty()) {
            notFound(ctx, s, "no pipeline '" + id + "'");
            return;
        }
        Html h = new Html();
        h.raw("<h1>").text(id).raw("</h1>");
        Optional<RunSpecs.Definition> def = version.map(specs::definition);
        def.ifPresent(d -> {
            Pipeline p = d.pipeline();
            h.raw("<p class=\"muted\">").text("version " + version.get().substring(0, 12) + " · "
                    + p.schedule().map(x -> "schedule " + x.expression() + " (" + p.timezone().getId() + ")").orElse("no schedule")
                    + (p.dependsOn().isEmpty() ? "" : " · depends on " + String.join(", ", p.dependsOn().stream().map(x -> x.pipeline()).toList()))
                    + " · next run " + nextRun(version.get(), clock.instant())).raw("</p>");
            h.raw("<h2>Tasks</h2><div class=\"scroll\">").raw(dagSvg(p)).raw("</div>");
        });
        h.raw("<h2>Runs × tasks</h2>");
        List<String> taskIds = def.map(d -> d.pipeline().tasks().stream().map(Task::id).toList()).orElse(List.of());
        h.raw("<div class=\"scroll\"><table class=\"grid\"><tr><th>Run</th><th>Date</th><th>State</th>");
        taskIds.forEach(t -> h.raw("<th title=\"" + Html.esc(t) + "\">").text(t).raw("</th>"));
        h.raw("</tr>");
        for (RunRecord r : recent) {
            Map<String, TaskRecord> byTask = new LinkedHashMap<>();
            runs.tasks(r.id()).forEach(t -> byTask.put(t.taskId(), t));
            h.raw("<tr><td>").link("/runs/" + r.id(), r.id()).raw("</td><td>").text(r.logicalDate()).raw("</td><td>").state(r.state().wireName()).raw("</td>");
            for (String t : taskIds) {
                TaskRecord tr = byTask.get(t);
                h.raw("<td>").raw(tr == null ? "" : "<span class=\"sq " + Html.esc(tr.state().wireName()) + "\" title=\""
                        + Html.esc(t + ": " + tr.state().wireName()) + "\"></span>").raw("</td>");
            }
            h.raw("</tr>");
        }
        h.raw("</table></div>");
        h.raw("<h2>Versions</h2><div class=\"scroll\"><table><tr><th>Version</th><th>Active</th><th>Deployed</th><th>Tests</th></tr>");
        JsonNode versions = JSON.valueToTree(GateJson.versions(gate, id)).path("versions");
        for (JsonNode v : versions) {
            List<String> tests = new ArrayList<>();
            v.path("tests").forEach(t -> tests.add((t.path("passed").asBoolean() ? "✓ " : "✗ ") + t.path("name").asString()
                    + " (" + t.path("duration_ms").asLong() + " ms)"));
            h.raw("<tr><td><code>").text(v.path("version").asString().substring(0, 12)).raw("</code></td><td>")
                    .text(v.path("active").asBoolean() ? "active" : "").raw("</td><td>").text(v.path("deployed_at").asString("-"))
                    .raw("</td><td>").text(String.join(", ", tests)).raw("</td></tr>");
        }
        h.raw("</table></div>");
        def.ifPresent(d -> h.raw("<h2>Playbook</h2><pre>").text(d.stored().playbookMd().orElse("(none)")).raw("</pre>"));
        render(ctx, s, id, "/", h.toString());
    }

    /** The pipeline's DAG: tasks in columns by depth, an arrow from each need. */
    private static String dagSvg(Pipeline p) {
        Map<String, Integer> depth = new LinkedHashMap<>();
        Map<String, List<String>> needs = new LinkedHashMap<>();
        p.tasks().forEach(t -> needs.put(t.id(), t.needs()));
        for (int round = 0; round <= p.tasks().size(); round++) {
            for (Task t : p.tasks()) {
                int d = 0;
                for (String n : t.needs()) {
                    d = Math.max(d, depth.getOrDefault(n, 0) + 1);
                }
                depth.put(t.id(), d);
            }
        }
        Map<Integer, List<String>> columns = new java.util.TreeMap<>();
        depth.forEach((t, d) -> columns.computeIfAbsent(d, k -> new ArrayList<>()).add(t));
        int w = 150;
        int hStep = 40;
        Map<String, int[]> at = new LinkedHashMap<>();
        int rows = 1;
        for (var e : columns.entrySet()) {
            for (int i = 0; i < e.getValue().size(); i++) {
                at.put(e.getValue().get(i), new int[] {10 + e.getKey() * (w + 40), 10 + i * hStep});
            }
            rows = Math.max(rows, e.getValue().size());
        }
        int width = 20 + columns.size() * (w + 40);
        int height = 20 + rows * hStep;
        StringBuilder svg = new StringBuilder("<svg role=\"img\" aria-label=\"task graph\" width=\"" + width + "\" height=\"" + height
                + "\" viewBox=\"0 0 " + width + " " + height + "\"><defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                + "markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#7a8499\"/></marker></defs>");
        needs.forEach((t, ns) -> ns.forEach(n -> {
            int[] a = at.get(n);
            int[] b = at.get(t);
            if (a != null && b != null) {
                svg.append("<line x1=\"").append(a[0] + w).append("\" y1=\"").append(a[1] + 13).append("\" x2=\"").append(b[0])
                        .append("\" y2=\"").append(b[1] + 13).append("\" stroke=\"#7a8499\" marker-end=\"url(#arr)\"/>");
            }
        }));
        at.forEach((t, xy) -> svg.append("<rect x=\"").append(xy[0]).append("\" y=\"").append(xy[1]).append("\" width=\"").append(w)
                .append("\" height=\"26\" rx=\"4\" fill=\"#fff\" stroke=\"#4a5468\"/><text x=\"").append(xy[0] + 8).append("\" y=\"")
                .append(xy[1] + 17).append("\">").append(Html.esc(t.length() > 22 ? t.substring(0, 21) + "…" : t)).append("</text>"));
        return svg.append("</svg>").toString();
    }

    private Optional<RunRecord> findRun(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches("[a-z0-9]{4,64}")) {
            return Optional.empty();
        }
        try {
            return Optional.of(runs.run(id));
        } catch (UnknownRunException e) {
            return Optional.empty();
        }
    }

    private void run(Context ctx, Session s) {
        Optional<RunRecord> found = findRun(ctx);
        if (found.isEmpty()) {
            notFound(ctx, s, "no such run");
            return;
        }
        RunRecord r = found.get();
        List<TaskRecord> tasks = runs.tasks(r.id());
        Html h = new Html();
        h.raw(flash(ctx));
        h.raw("<h1>Run ").text(r.id()).raw(" ").state(r.state().wireName()).raw("</h1><p class=\"muted\">").link("/pipelines/" + r.pipeline(), r.pipeline())
                .text(" · " + r.logicalDate() + " · " + r.kind().wireName() + " · version " + r.version().substring(0, Math.min(12, r.version().length()))
                        + " · started " + time(r.startedAt()) + " · took " + took(r))
                .raw("</p>");
        r.reason().ifPresent(reason -> h.raw("<p>").text(r.state() == RunState.WAITING ? "Waiting for: " + reason : reason).raw("</p>"));
        if (s.role().covers(Role.OPERATOR)) {
            if (!r.state().isTerminal()) {
                h.form("/runs/" + r.id() + "/cancel", s.csrf(), "Cancel run", "danger", "");
            } else if (r.kind() != RunKind.DEV && r.kind() != RunKind.TEST && r.state() != RunState.SKIPPED
                    && tasks.stream().anyMatch(t -> t.state() != io.sluice.run.TaskState.SUCCEEDED)) {
                h.form("/runs/" + r.id() + "/clear", s.csrf(), "Clear failed tasks (run again)", "go", "");
            }
        }
        h.raw("<h2>Timeline</h2><div class=\"scroll\">").raw(timeline(r, tasks)).raw("</div>");
        h.raw("<h2>Tasks</h2><div class=\"scroll\"><table><tr><th>Task</th><th>State</th><th>Attempts</th><th>Exit</th><th>Detail</th><th>Logs</th></tr>");
        Map<String, List<Integer>> attempts = new LinkedHashMap<>();
        runs.attempts(r.id()).forEach(a -> attempts.computeIfAbsent(a.taskId(), k -> new ArrayList<>()).add(a.attempt()));
        for (TaskRecord t : tasks) {
            h.raw("<tr><td>").text(t.taskId()).raw("</td><td>").state(t.state().wireName()).raw("</td><td>").text(t.attempts())
                    .raw("</td><td>").text(t.exitCode().map(String::valueOf).orElse("-")).raw("</td><td>").text(t.cause().orElse(""))
                    .raw("</td><td>");
            for (int a : attempts.getOrDefault(t.taskId(), List.of())) {
                h.link("/runs/" + r.id() + "/logs/" + t.taskId() + "/" + a, "#" + a).raw(" ");
            }
            h.raw("</td></tr>");
        }
        for (String step : List.of("_setup", "_teardown")) {
            if (attempts.containsKey(step)) {
                h.raw("<tr><td>").text(step.substring(1)).raw("</td><td>")
                        .state((step.equals("_setup") ? r.setupState() : r.teardownState()).name().toLowerCase(java.util.Locale.ROOT))
                        .raw("</td><td></td><td></td><td></td><td>");
                for (int a : attempts.get(step)) {
                    h.link("/runs/" + r.id() + "/logs/" + step + "/" + a, "#" + a).raw(" ");
                }
                h.raw("</td></tr>");
            }
        }
        h.raw("</table></div>");
        JsonNode why = JSON.valueToTree(Explanations.json(runs, r, mask));
        if (!why.path("failures").isEmpty()) {
            h.raw("<h2>Why it failed</h2>");
        }
        for (JsonNode f : why.path("failures")) {
            h.raw("<div class=\"card bad failure\"><h3>").text(f.path("task").asString() + ": " + f.path("kind").asString().replace('_', ' ')
                    + " (attempt " + f.path("attempt").asInt() + (f.path("exit_code").isNumber() ? ", exit " + f.path("exit_code").asInt() : "") + ")")
                    .raw("</h3><pre>").text(f.path("excerpt").asString("")).raw("</pre>");
            JsonNode entry = f.path("playbook");
            if (entry.isObject()) {
                h.raw("<p><strong>Playbook: </strong><span class=\"entry\">").text(entry.path("title").asString()).raw("</span> <span class=\"muted\">")
                        .text("[match: " + entry.path("match").asString() + "]").raw("</span></p><h4>Diagnose</h4><pre class=\"diagnose\">")
                        .text(entry.path("diagnose").asString()).raw("</pre><h4>Fix</h4><pre class=\"fix\">").text(entry.path("fix").asString()).raw("</pre>");
                if (!entry.path("actions").isEmpty()) {
                    h.raw("<p>Fix scripts this entry names (a person decides):</p><ul>");
                    entry.path("actions").forEach(a -> h.raw("<li><code>").text(a.path("command").asString()).raw("</code></li>"));
                    h.raw("</ul>");
                }
            } else {
                h.raw("<p class=\"muted\">No playbook entry matches this failure: add one to the pipeline's PLAYBOOK.md.</p>");
            }
            h.raw("</div>");
        }
        render(ctx, s, "Run " + r.id(), "/", h.toString());
    }

    /** A Gantt-like bar per task: waiting and running drawn apart, from the recorded transitions. */
    private String timeline(RunRecord r, List<TaskRecord> tasks) {
        List<TransitionRecord> transitions = runs.taskTransitions(r.id());
        Instant start = r.startedAt().or(() -> transitions.stream().map(TransitionRecord::at).min(Instant::compareTo)).orElse(r.createdAt());
        Instant end = r.endedAt().orElse(clock.instant());
        for (TransitionRecord t : transitions) {
            if (t.at().isAfter(end)) {
                end = t.at();
            }
            if (t.at().isBefore(start) && !t.to().equals("PENDING")) {
                start = t.at();
            }
        }
        double span = Math.max(1, Duration.between(start, end).toMillis());
        int labelW = 140;
        int barW = 560;
        int rowH = 22;
        StringBuilder svg = new StringBuilder("<svg role=\"img\" aria-label=\"timeline\" width=\"" + (labelW + barW + 10) + "\" height=\""
                + (tasks.size() * rowH + 30) + "\">");
        int row = 0;
        for (TaskRecord task : tasks) {
            int y = 5 + row * rowH;
            svg.append("<text x=\"0\" y=\"").append(y + 14).append("\">").append(Html.esc(task.taskId())).append("</text>");
            Instant since = null;
            String state = null;
            for (TransitionRecord t : transitions) {
                if (!t.taskId().equals(Optional.of(task.taskId()))) {
                    continue;
                }
                if (since != null && (state.equals("RUNNING") || state.equals("WAITING") || state.equals("RETRYING"))) {
                    svg.append(bar(labelW, barW, span, start, since, t.at(), y, state));
                }
                since = t.at();
                state = t.to();
            }
            if (since != null && (state.equals("RUNNING") || state.equals("WAITING") || state.equals("RETRYING"))) {
                svg.append(bar(labelW, barW, span, start, since, end, y, state));
            }
            row++;
        }
        int y = tasks.size() * rowH + 22;
        svg.append("<text x=\"").append(labelW).append("\" y=\"").append(y).append("\" fill=\"#6b7385\">")
                .append(Html.esc("0 s … " + String.format("%.1f s", span / 1000) + "   blue: running · amber: waiting")).append("</text>");
        return svg.append("</svg>").toString();
    }

    private static String bar(int labelW, int barW, double span, Instant start, Instant from, Instant to, int y, String state) {
        double x = labelW + barW * Duration.between(start, from).toMillis() / span;
        double w = Math.max(2, barW * Duration.between(from, to).toMillis() / span);
        String colour = state.equals("RUNNING") ? "#2f81f7" : "#e3b341";
        return "<rect x=\"" + String.format("%.1f", x) + "\" y=\"" + (y + 3) + "\" width=\"" + String.format("%.1f", w) + "\" height=\"14\" fill=\""
                + colour + "\"><title>" + Html.esc(state.toLowerCase(java.util.Locale.ROOT) + " " + Duration.between(from, to).toMillis() + " ms")
                + "</title></rect>";
    }

    private void log(Context ctx, Session s) {
        Optional<RunRecord> r = findRun(ctx);
        String task = ctx.pathParam("task");
        String attemptText = ctx.pathParam("attempt");
        if (r.isEmpty() || !(Ids.isValid(task) || task.equals("_setup") || task.equals("_teardown")) || !attemptText.matches("[0-9]{1,6}")) {
            notFound(ctx, s, "no such log");
            return;
        }
        int attempt = Integer.parseInt(attemptText);
        Optional<io.sluice.store.AttemptRecord> a = runs.attempts(r.get().id()).stream()
                .filter(x -> x.taskId().equals(task) && x.attempt() == attempt).findFirst();
        if (a.isEmpty()) {
            notFound(ctx, s, "no such attempt");
            return;
        }
        String text = io.sluice.engine.LogTail.read(java.nio.file.Path.of(a.get().logPath()), 1 << 20);
        Html h = new Html();
        h.raw("<h1>").link("/runs/" + r.get().id(), r.get().id()).text(" · " + task + " · attempt " + attempt).raw("</h1><pre>")
                .text(mask.apply(text)).raw("</pre>");
        render(ctx, s, task + " log", "/", h.toString());
    }

    private void cancel(Context ctx, Session s) {
        Optional<RunRecord> r = findRun(ctx);
        if (r.isEmpty() || r.get().state().isTerminal()) {
            ctx.redirect("/runs/" + ctx.pathParam("id"));
            return;
        }
        String cause = "cancelled by " + s.who();
        if (!manager.cancel(r.get().id(), cause)) {
            runs.write(w -> w.requestCancel(r.get().id()));
            manager.reconsiderSoon();
        }
        gate.audit(s.who(), "cancel", r.get().pipeline() + " " + r.get().id(), "requested", "from the web UI");
        ctx.redirect("/runs/" + r.get().id() + "?done=" + java.net.URLEncoder.encode("Cancel requested.", StandardCharsets.UTF_8));
    }

    private void clear(Context ctx, Session s) {
        Optional<RunRecord> r = findRun(ctx);
        if (r.isEmpty()) {
            notFound(ctx, s, "no such run");
            return;
        }
        String message;
        try {
            Map<String, Object> done = recovery.clear(r.get(), List.of(), false, false, s.who());
            message = "Cleared " + done.get("tasks") + "; the run goes again.";
        } catch (ApiError e) {
            message = e.getMessage();
        }
        ctx.redirect("/runs/" + r.get().id() + "?done=" + java.net.URLEncoder.encode(message, StandardCharsets.UTF_8));
    }

    private void recoveryPage(Context ctx, Session s) {
        Html h = new Html();
        h.raw(flash(ctx)).raw("<h1>Recovery</h1><p class=\"muted\">Sluice plans, a person applies: a plan changes nothing until you apply it.</p>");
        List<RunRecord> bad = runs.runsIn(java.util.EnumSet.of(RunState.FAILED, RunState.TIMED_OUT, RunState.CANCELLED)).stream()
                .filter(r -> r.kind() != RunKind.DEV && r.kind() != RunKind.TEST).toList().reversed();
        h.raw("<h2>Current failures</h2>");
        if (bad.isEmpty()) {
            h.raw("<p>Nothing has failed.</p>");
        } else {
            h.raw("<div class=\"scroll\"><table><tr><th>Run</th><th>Pipeline</th><th>Date</th><th>State</th><th>Reason</th></tr>");
            for (RunRecord r : bad.subList(0, Math.min(200, bad.size()))) {
                h.raw("<tr><td>").link("/runs/" + r.id(), r.id()).raw("</td><td>").text(r.pipeline()).raw("</td><td>").text(r.logicalDate())
                        .raw("</td><td>").state(r.state().wireName()).raw("</td><td>").text(r.reason().orElse("")).raw("</td></tr>");
            }
            h.raw("</table></div>");
        }
        if (s.role().covers(Role.OPERATOR)) {
            h.raw("<p>").form("/recovery/plans", s.csrf(), "Make a recovery plan", "go",
                    "<label><input type=\"checkbox\" name=\"include_downstream\" value=\"true\"> also re-run succeeded downstream runs</label> ").raw("</p>");
        }
        render(ctx, s, "Recovery", "/recovery", h.toString());
    }

    private void makePlan(Context ctx, Session s) {
        Map<String, Object> plan = recovery.plan(java.util.Set.of(), Optional.empty(), "true".equals(ctx.formParam("include_downstream")), s.who());
        ctx.redirect("/recovery/plans/" + plan.get("id"));
    }

    private void plan(Context ctx, Session s) {
        String id = ctx.pathParam("plan");
        if (!id.matches("[a-z0-9]{4,64}")) {
            notFound(ctx, s, "no such plan");
            return;
        }
        JsonNode plan;
        try {
            plan = JSON.valueToTree(recovery.show(id));
        } catch (ApiError e) {
            notFound(ctx, s, e.getMessage());
            return;
        }
        boolean applied = plan.hasNonNull("applied_at");
        Html h = new Html();
        h.raw(flash(ctx)).raw("<h1>Plan ").text(id).raw("</h1><p class=\"muted\">")
                .text("made " + plan.path("created_at").asString() + " by " + plan.path("created_by").asString()
                        + (applied ? "; applied " + plan.path("applied_at").asString() + " by " + plan.path("applied_by").asString() : "; not applied"))
                .raw("</p>");
        if (plan.path("steps").isEmpty()) {
            h.raw("<p>Nothing to repair.</p>");
        } else {
            h.raw("<div class=\"scroll\"><table id=\"steps\"><tr><th>#</th><th>Pipeline</th><th>Date</th><th>Action</th><th>Run</th><th>Why</th><th>Now</th></tr>");
            for (JsonNode st : plan.path("steps")) {
                h.raw("<tr><td>").text(st.path("position").asInt()).raw("</td><td>").text(st.path("pipeline").asString()).raw("</td><td>")
                        .text(st.path("logical_date").asString()).raw("</td><td>").text(st.path("action").asString()).raw("</td><td>")
                        .link("/runs/" + st.path("run").asString(), st.path("run").asString()).raw("</td><td>").text(st.path("why").asString())
                        .raw("</td><td>").state(st.path("progress").asString()).raw(st.path("changed_since_plan").asBoolean(false) && !applied
                                ? " <span class=\"muted\">changed since</span>" : "").raw("</td></tr>");
            }
            h.raw("</table></div>");
        }
        if (!plan.path("resumes").isEmpty()) {
            h.raw("<h2>Resume by themselves once their upstream has succeeded</h2><ul>");
            plan.path("resumes").forEach(r -> h.raw("<li>").link("/runs/" + r.path("run").asString(), r.path("run").asString())
                    .text(" " + r.path("pipeline").asString() + " " + r.path("logical_date").asString() + " (waiting)").raw("</li>"));
            h.raw("</ul>");
        }
        if (!applied && !plan.path("steps").isEmpty() && s.role().covers(Role.OPERATOR)) {
            h.raw("<div class=\"card\">").form("/recovery/plans/" + id + "/apply", s.csrf(), "Apply this plan", "go",
                    "<p><label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" id=\"confirm\" required> I have read this plan: clear these runs, in this order</label></p>")
                    .raw("</div>");
        }
        if (applied) {
            StringBuilder progress = new StringBuilder();
            plan.path("progress").properties().forEach(e -> progress.append(e.getValue().asInt()).append(' ').append(e.getKey().replace('_', ' ')).append("; "));
            h.raw("<p id=\"progress\">Progress: ").text(progress.toString()).raw("</p>");
        }
        render(ctx, s, "Plan " + id, "/recovery", h.toString());
    }

    private void apply(Context ctx, Session s) {
        String id = ctx.pathParam("plan");
        if (!id.matches("[a-z0-9]{4,64}")) {
            notFound(ctx, s, "no such plan");
            return;
        }
        String message;
        if (!"yes".equals(ctx.formParam("confirm"))) {
            message = "Not applied: tick the box to confirm that you have read the plan.";
        } else {
            try {
                recovery.apply(id, s.who());
                message = "Applied: the runs are cleared in order as the server has room.";
            } catch (ApiError e) {
                message = e.getMessage();
            }
        }
        ctx.redirect("/recovery/plans/" + id + "?done=" + java.net.URLEncoder.encode(message, StandardCharsets.UTF_8));
    }

    private void deployments(Context ctx, Session s) {
        Html h = new Html();
        h.raw("<h1>Deployments</h1><div class=\"scroll\"><table><tr><th>When (UTC)</th><th>Who</th><th>What</th><th>Pipeline</th><th>Outcome</th></tr>");
        for (AuditEntry e : gate.audit(Optional.empty(), 2000).reversed()) {
            if (!List.of("deploy", "rollback").contains(e.action())) {
                continue;
            }
            boolean refused = e.outcome().startsWith("refused");
            h.raw("<tr" + (refused ? " class=\"refused\"" : "") + "><td>").text(TIME.format(e.at())).raw("</td><td>").text(e.who()).raw("</td><td>")
                    .text(e.action()).raw("</td><td>").text(e.target()).raw("</td><td>").raw(refused ? "<span class=\"st st-failed\">" : "<span>")
                    .text(e.outcome()).raw("</span>");
            e.detail().ifPresent(d -> h.raw("<pre>").text(d).raw("</pre>"));
            h.raw("</td></tr>");
        }
        h.raw("</table></div>");
        render(ctx, s, "Deployments", "/deployments", h.toString());
    }

    private void gaps(Context ctx, Session s) {
        Html h = new Html();
        h.raw("<h1>Playbook gaps</h1><p class=\"muted\">Failures that matched no playbook entry, or only a condition-free one.</p>")
                .raw("<div class=\"scroll\"><table><tr><th>Seen (UTC)</th><th>Pipeline</th><th>Task</th><th>Kind</th><th>Run</th><th>Matched</th><th>Log excerpt</th></tr>");
        for (String p : new java.util.TreeSet<>(gate.activeVersions().keySet())) {
            for (PlaybookGap g : gate.gaps(p)) {
                h.raw("<tr><td>").text(TIME.format(g.seenAt())).raw("</td><td>").text(g.pipeline()).raw("</td><td>").text(g.task().orElse("(run)"))
                        .raw("</td><td>").text(g.kind()).raw("</td><td>").text(g.source() + " " + g.runId()).raw("</td><td>")
                        .text(g.entry().orElse("nothing")).raw("</td><td><pre>").text(mask.apply(g.excerpt())).raw("</pre></td></tr>");
            }
        }
        h.raw("</table></div>");
        render(ctx, s, "Playbook gaps", "/gaps", h.toString());
    }

    private void audit(Context ctx, Session s) {
        Html h = new Html();
        h.raw("<h1>Audit</h1><div class=\"scroll\"><table><tr><th>When (UTC)</th><th>Who</th><th>Action</th><th>Target</th><th>Outcome</th><th>Detail</th></tr>");
        for (AuditEntry e : gate.audit(Optional.empty(), 500).reversed()) {
            h.raw("<tr><td>").text(TIME.format(e.at())).raw("</td><td>").text(e.who()).raw("</td><td>").text(e.action()).raw("</td><td>")
                    .text(e.target()).raw("</td><td>").text(e.outcome()).raw("</td><td>").text(e.detail().orElse("")).raw("</td></tr>");
        }
        h.raw("</table></div>");
        render(ctx, s, "Audit", "/audit", h.toString());
    }

    private void notFound(Context ctx, Session s, String message) {
        ctx.status(404);
        render(ctx, s, "Not found", "", "<p class=\"err\">" + Html.esc(message) + "</p>");
    }
}
