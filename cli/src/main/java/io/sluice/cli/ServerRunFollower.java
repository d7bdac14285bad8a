package io.sluice.cli;

import io.sluice.engine.RunListener;
import io.sluice.run.RunState;
import io.sluice.run.Step;
import io.sluice.run.StepState;
import io.sluice.run.TaskState;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;

/**
 * Follows a run on a server by reading it a few times a second and turning each change of a
 * task, a step or the run into the same progress lines a local run prints.
 */
final class ServerRunFollower {
    private static final long PAUSE_NANOS = 250_000_000L;

    private final ServerClient server;
    private final RunListener listener;
    private final Map<String, String> seen = new HashMap<>();
    private volatile boolean stopped;

    ServerRunFollower(ServerClient server, RunListener listener) {
        this.server = server;
        this.listener = listener;
    }

    /** Stops following (the run goes on on the server). */
    void stop() {
        stopped = true;
    }

    /** Reports changes until the run ends (or {@link #stop()}); returns the last answer. */
    JsonNode follow(String runId) {
        while (true) {
            JsonNode run = server.get("/api/v1/runs/" + runId);
            report(run);
            if (run.path("ended_at").isString() || stopped) {
                return run;
            }
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }

    private void report(JsonNode run) {
        step(Step.SETUP, run.path("setup").asString("none"));
        for (JsonNode t : run.path("tasks")) {
            String id = t.path("id").asString();
            String key = t.path("state").asString() + "/" + t.path("attempts").asInt() + "/" + t.path("reason").asString("");
            if (!key.equals(seen.put("task:" + id, key)) && !t.path("state").asString().equals("pending")) {
                TaskState.fromWireName(t.path("state").asString()).ifPresent(state ->
                        listener.taskChanged(id, state, t.path("attempts").asInt(), t.path("reason").asString("")));
            }
        }
        step(Step.TEARDOWN, run.path("teardown").asString("none"));
        String key = run.path("state").asString() + "/" + run.path("reason").asString("");
        if (!key.equals(seen.put("run", key))) {
            RunState.fromWireName(run.path("state").asString()).ifPresent(state ->
                    listener.runChanged(run.path("id").asString(), state, run.path("reason").asString("")));
        }
    }

    private void step(Step step, String state) {
        if (!state.equals(seen.put("step:" + step, state)) && !state.equals("none") && !state.equals("pending")) {
            try {
                listener.stepChanged(step, StepState.valueOf(state.toUpperCase(Locale.ROOT)), "");
            } catch (IllegalArgumentException unknown) {
                listener.note(step.wireName() + " " + state);
            }
        }
    }
}
