package io.sluice.server;

import io.sluice.definition.AlertSink;
import io.sluice.engine.Failures;
import io.sluice.engine.LogTail;
import io.sluice.engine.RunSpec;
import io.sluice.playbook.PlaybookEntry;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.ServerStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alerts (SPEC §7) for {@code failed}, {@code timed_out}, {@code stuck} and {@code teardown_failed}:
 * to each sink of the pipeline and to the server's default sink, with the matched playbook entry
 * and its steps. Delivery runs on its own threads, with a timeout and bounded retries, so it never
 * holds up a run or the scheduler; every delivery and its outcome is recorded.
 */
final class Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int ATTEMPTS = 3;

    private final ServerStore store;
    private final RunStore runs;
    private final List<AlertSink> defaults;
    private final WebhookGuard guard;
    private volatile String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ScheduledExecutorService senders = Executors.newScheduledThreadPool(2,
            Thread.ofPlatform().daemon().name("sluice-alerts-", 0).factory());

    /** Where alert links point, once the server listens (its real port, and a host name for a wildcard bind). */
    void linkTo(String url) {
        this.baseUrl = url;
    }

    Alerts(ServerStore store, RunStore runs, List<AlertSink> defaults, boolean allowPrivate, String baseUrl) {
        this.store = store;
        this.runs = runs;
        this.defaults = List.copyOf(defaults);
        this.guard = new WebhookGuard(allowPrivate);
        this.baseUrl = baseUrl;
    }

    /** After a run ended: one alert per failure worth one (a task that failed or timed out, a failed teardown). */
    void runEnded(RunRecord run, RunSpec spec) {
        for (Failures.Failed f : lastFailures(run)) {
            String kind = f.kind().equals("setup_failed") ? "failed" : f.kind();
            Optional<PlaybookEntry> entry = f.entry().flatMap(spec.playbook()::entry);
            send(run, spec, kind, f.task().or(() -> Optional.of(f.kind().replace("_failed", ""))), LogTail.lastLines(f.log(), 10), entry);
        }
    }

    /** Only each task's final failure: a failed attempt that a retry fixed is not worth waking anyone. */
    private List<Failures.Failed> lastFailures(RunRecord run) {
        Map<String, Failures.Failed> last = new LinkedHashMap<>();
        for (Failures.Failed f : Failures.of(runs, run.id())) {
            last.put(f.task().orElse(f.kind()), f);
        }
        List<Failures.Failed> result = new ArrayList<>();
        for (var t : runs.tasks(run.id())) {
            Failures.Failed f = last.get(t.taskId());
            if (f != null && (t.state().wireName().equals("failed") || t.state().wireName().equals("timed_out"))) {
                result.add(f);
            }
        }
        Optional.ofNullable(last.get("setup_failed")).ifPresent(result::add);
        Optional.ofNullable(last.get("teardown_failed")).ifPresent(result::add);
        return result;
    }

    /** A run or task waited longer than max_wait. */
    void stuck(RunRecord run, RunSpec spec, Optional<String> task, String why) {
        Optional<PlaybookEntry> entry = io.sluice.playbook.PlaybookMatcher.match(spec.playbook(),
                new io.sluice.playbook.Failure(task, io.sluice.playbook.FailureKind.STUCK, Optional.empty(), why));
        send(run, spec, "stuck", task, why, entry);
    }

    private void send(RunRecord run, RunSpec spec, String kind, Optional<String> task, String excerpt, Optional<PlaybookEntry> entry) {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("kind", kind);
        alert.put("pipeline", run.pipeline());
        alert.put("run", run.id());
        alert.put("task", task.orElse(null));
        alert.put("state", kind.equals("stuck") ? "waiting" : run.state().wireName());
        alert.put("logical_date", run.logicalDate());
        alert.put("error_excerpt", excerpt);
        alert.put("playbook", entry.map(e -> RunJson.object("title", e.title(), "match", e.match().describe(), "diagnose", e.diagnose(),
                "fix", e.fix(), "actions", Explanations.actionCommands(run, e))).orElse(null));
        alert.put("link", baseUrl + "/api/v1/runs/" + run.id());
        String text = ":rotating_light: " + run.pipeline() + " " + run.logicalDate() + ": " + task.map(t -> t + " ").orElse("")
                + kind.replace('_', ' ') + " (run " + run.id() + ")\n```" + excerpt + "```"
                + entry.map(e -> "\n*Playbook: " + e.title() + "*\n*Diagnose*\n" + e.diagnose() + "\n*Fix*\n" + e.fix()
                        + Explanations.actionCommands(run, e).stream().map(a -> "\n`" + a.get("command") + "`").collect(java.util.stream.Collectors.joining()))
                        .orElse("\n(no playbook entry matched)")
                + "\n" + alert.get("link");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", text);
        body.put("sluice", alert);
        String payload = JSON.writeValueAsString(body);
        List<AlertSink> sinks = new ArrayList<>(spec.pipeline().alerts());
        sinks.addAll(defaults);
        for (AlertSink sink : sinks) {
            String name = sink instanceof AlertSink.Webhook w ? "webhook " + w.url() : "command " + ((AlertSink.Command) sink).run();
            long id = store.addDelivery(run.id(), task, kind, name, payload);
            senders.execute(() -> deliver(id, sink, payload, spec, 1));
        }
    }

    private void deliver(long id, AlertSink sink, String payload, RunSpec spec, int attempt) {
        String error;
        try {
            error = sink instanceof AlertSink.Webhook w ? post(URI.create(w.url()), payload, 0) : command(((AlertSink.Command) sink).run(), payload, spec);
        } catch (RuntimeException e) {
            error = String.valueOf(e.getMessage());
        }
        if (error == null) {
            store.updateDelivery(id, "sent", attempt, Optional.empty());
            return;
        }
        boolean permanent = error.startsWith("refused:");
        if (attempt < ATTEMPTS && !permanent) {
            store.updateDelivery(id, "retrying", attempt, Optional.of(error));
            senders.schedule(() -> deliver(id, sink, payload, spec, attempt + 1), (long) Math.pow(4, attempt - 1), TimeUnit.SECONDS);
        } else {
            LOG.warn("alert delivery {} failed after {} attempts: {}", id, attempt, error);
            store.updateDelivery(id, "failed", attempt, Optional.of(error));
        }
    }

    /** Posts the alert; null when accepted, else why not. Redirects are followed (three at most), each checked again. */
    private String post(URI uri, String payload, int redirects) {
        String refusal = guard.refusal(uri);
        if (refusal != null) {
            return "refused: " + refusal;
        }
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(payload)).build(),
                    HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                if (redirects >= 3) {
                    return "too many redirects";
                }
                return post(uri.resolve(response.headers().firstValue("Location").get()), payload, redirects + 1);
            }
            return status >= 200 && status < 300 ? null : "HTTP " + status;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Runs a command sink with the alert on stdin, in the version's directory; null when it exits 0. */
    private String command(String command, String payload, RunSpec spec) {
        try {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command)
                    .directory(spec.files().root().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_SECRET_") || k.equals("SLUICE_TOKEN"));
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(payload.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the command need not read its input
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return "timed out after 30s";
            }
            return p.exitValue() == 0 ? null : "exit " + p.exitValue();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    void stop() {
        senders.shutdown();
    }

}
