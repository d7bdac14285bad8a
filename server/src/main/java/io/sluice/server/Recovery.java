package io.sluice.server;

import io.sluice.dag.Dag;
import io.sluice.definition.Pipeline;
import io.sluice.definition.Task;
import io.sluice.engine.RunIds;
import io.sluice.recovery.RecoveryPlanner;
import io.sluice.run.RunState;
import io.sluice.run.StepState;
import io.sluice.run.TaskState;
import io.sluice.store.GateStore;
import io.sluice.store.RecoveryStore;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.TaskRecord;
import io.sluice.store.UnknownRunException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Clear, recovery plans and their application (SPEC §6). Sluice computes; a person decides: a plan
 * changes nothing, and applying it carries out exactly what it lists, or nothing when any of its
 * runs changed since it was made.
 *
 * <p>An applied plan does not flood the server: its steps are cleared in order, at most
 * {@code window} of them queued or running at a time, so that runs the schedule creates meanwhile
 * take their turn beside them instead of behind thousands of cleared runs.
 */
final class Recovery implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunStore runs;
    private final RecoveryStore plans;
    private final GateStore gate;
    private final RunSpecs specs;
    private final Runnable reconsider;
    private final Clock clock;
    private final int window;

    Recovery(RunStore runs, RecoveryStore plans, GateStore gate, RunSpecs specs, Runnable reconsider, Clock clock, int window) {
        this.runs = runs;
        this.plans = plans;
        this.gate = gate;
        this.specs = specs;
        this.reconsider = reconsider;
        this.clock = clock;
        this.window = Math.max(1, window);
    }

    // ---- clear --------------------------------------------------------------------------------

    /**
     * The tasks a clear resets: the named ones (default: every task that did not succeed) and, with
     * {@code downstream}, every task of the run below them.
     */
    List<String> tasksToClear(RunRecord run, List<String> named, boolean downstream) {
        refuseUnclearable(run);
        List<TaskRecord> tasks = runs.tasks(run.id());
        Set<String> inRun = new LinkedHashSet<>();
        tasks.forEach(t -> inRun.add(t.taskId()));
        Set<String> chosen = new LinkedHashSet<>();
        if (named.isEmpty()) {
            tasks.stream().filter(t -> t.state() != TaskState.SUCCEEDED).forEach(t -> chosen.add(t.taskId()));
        } else {
            for (String t : named) {
                if (!inRun.contains(t)) {
                    throw ApiError.badRequest("run " + run.id() + " has no task '" + t + "' (its tasks: " + String.join(", ", inRun) + ")");
                }
                chosen.add(t);
            }
        }
        if (downstream && !chosen.isEmpty()) {
            Pipeline p = specs.definition(run.version()).pipeline();
            Map<String, List<String>> needs = new LinkedHashMap<>();
            for (Task t : p.tasks()) {
                if (inRun.contains(t.id())) {
                    needs.put(t.id(), t.needs().stream().filter(inRun::contains).toList());
                }
            }
            chosen.addAll(new Dag(needs).downstreamOf(Set.copyOf(chosen)));
        }
        List<String> ordered = new ArrayList<>();
        tasks.stream().map(TaskRecord::taskId).filter(chosen::contains).forEach(ordered::add);
        if (ordered.isEmpty()) {
            throw new ApiError(409, "conflict", "nothing to clear in run " + run.id()
                    + ": every task succeeded (name tasks to run again with --task)");
        }
        return ordered;
    }

    private static void refuseUnclearable(RunRecord run) {
        if (run.kind() == RunKind.DEV || run.kind() == RunKind.TEST) {
            throw new ApiError(409, "conflict", "run " + run.id() + " is a " + run.kind().wireName()
                    + " run of a working copy; run the directory again instead");
        }
        if (!run.state().isTerminal()) {
            throw new ApiError(409, "conflict", "run " + run.id() + " is " + run.state().wireName()
                    + "; only a finished run can be cleared (cancel it first)");
        }
        if (run.state() == RunState.SKIPPED) {
            throw new ApiError(409, "conflict", "run " + run.id() + " was skipped (on_overlap: skip); start a new one with sluice run");
        }
    }

    /** Clears the run: the tasks go back to pending and the run is queued again, on the same version. */
    Map<String, Object> clear(RunRecord run, List<String> named, boolean downstream, boolean dryRun, String who) {
        List<String> tasks = tasksToClear(run, named, downstream);
        if (!dryRun) {
            doClear(run, tasks, "cleared by " + who, Optional.empty(), Optional.empty());
            gate.audit(who, "clear", run.pipeline() + " " + run.id(), "cleared", "tasks: " + String.join(", ", tasks));
            reconsider.run();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", run.id());
        m.put("pipeline", run.pipeline());
        m.put("logical_date", run.logicalDate());
        m.put("state", run.state().wireName());
        m.put("tasks", tasks);
        m.put("cleared", !dryRun);
        return m;
    }

    private void doClear(RunRecord run, List<String> tasks, String cause, Optional<Long> expectedRowVersion,
                         Optional<Map.Entry<String, Integer>> step) {
        Pipeline p = specs.definition(run.version()).pipeline();
        StepState setup = p.environment().setup().isPresent() ? StepState.PENDING : StepState.NONE;
        StepState teardown = p.environment().teardown().isPresent() ? StepState.PENDING : StepState.NONE;
        runs.write(w -> {
            w.clearRun(run.id(), run.state(), tasks, setup, teardown, cause, expectedRowVersion);
            step.ifPresent(s -> w.recoveryStepDone(s.getKey(), s.getValue(), Optional.empty()));
        });
    }

    // ---- plans ----------------------------------------------------------------------------------

    Map<String, Object> plan(Set<String> pipelines, Optional<Instant> since, boolean includeDownstream, String who) {
        Map<String, List<String>> upstreams = new LinkedHashMap<>();
        gate.activeVersions().forEach((id, version) -> upstreams.put(id,
                specs.definition(version).pipeline().dependsOn().stream().map(d -> d.pipeline()).toList()));
        for (String p : pipelines) {
            if (!upstreams.containsKey(p)) {
                throw ApiError.notFound("no pipeline '" + p + "' is deployed");
            }
        }
        RecoveryPlanner.Plan plan = RecoveryPlanner.plan(plans.plannableRuns(), upstreams,
                new RecoveryPlanner.Scope(pipelines, since, includeDownstream));
        String id = RunIds.next(clock.instant());
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("pipelines", List.copyOf(new java.util.TreeSet<>(pipelines)));
        scope.put("since", since.map(Instant::toString).orElse(null));
        scope.put("include_downstream", includeDownstream);
        List<Map<String, Object>> resumes = plan.resumes().stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run", r.id());
            m.put("pipeline", r.pipeline());
            m.put("logical_date", r.logicalDate());
            m.put("reason", r.reason().orElse(""));
            return m;
        }).toList();
        plans.save(id, who, JSON.writeValueAsString(scope), JSON.writeValueAsString(resumes), plan.steps());
        gate.audit(who, "plan", id, plan.steps().size() + " steps", scopeText(pipelines, since, includeDownstream));
        return show(id);
    }

    private static String scopeText(Set<String> pipelines, Optional<Instant> since, boolean includeDownstream) {
        return (pipelines.isEmpty() ? "all pipelines" : "pipelines " + String.join(", ", new java.util.TreeSet<>(pipelines)))
                + since.map(s -> ", since " + s).orElse("") + (includeDownstream ? ", with succeeded downstream runs" : "");
    }

    /** The plan with how far it got: each step's run as it is now. */
    Map<String, Object> show(String id) {
        RecoveryStore.PlanRecord plan = plans.plan(id).orElseThrow(() -> ApiError.notFound("no recovery plan '" + id + "'"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", plan.id());
        m.put("created_at", plan.createdAt().toString());
        m.put("created_by", plan.createdBy());
        m.put("scope", JSON.readTree(plan.scope()));
        m.put("applied_at", plan.appliedAt().map(Instant::toString).orElse(null));
        m.put("applied_by", plan.appliedBy().orElse(null));
        List<Map<String, Object>> steps = new ArrayList<>();
        Map<String, Integer> progress = new LinkedHashMap<>();
        for (RecoveryStore.StepRecord s : plan.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("position", s.position());
            step.put("run", s.runId());
            step.put("pipeline", s.pipeline());
            step.put("logical_date", s.logicalDate());
            step.put("action", s.action());
            step.put("why", s.why());
            Optional<RecoveryStore.RunNow> now = s.now();
            String state = now.map(r -> r.state().wireName()).orElse("gone");
            step.put("state", state);
            step.put("reason", now.flatMap(RecoveryStore.RunNow::reason).orElse(null));
            step.put("changed_since_plan", now.map(r -> r.rowVersion() != s.rowVersion()).orElse(true) && s.clearedAt().isEmpty());
            step.put("cleared_at", s.clearedAt().map(Instant::toString).orElse(null));
            step.put("note", s.note().orElse(null));
            String phase = plan.appliedAt().isEmpty() ? "planned"
                    : s.note().isPresent() ? "passed_over"
                    : s.clearedAt().isEmpty() ? "pending"
                    : state;
            step.put("progress", phase);
            progress.merge(phase, 1, Integer::sum);
            steps.add(step);
        }
        m.put("steps", steps);
        m.put("resumes", JSON.readTree(plan.resumes()));
        m.put("progress", progress);
        return m;
    }

    /** Carries out the plan, or refuses it (409, code {@code stale}) naming every run that changed since it was made. */
    Map<String, Object> apply(String id, String who) {
        RecoveryStore.PlanRecord plan = plans.plan(id).orElseThrow(() -> ApiError.notFound("no recovery plan '" + id + "'"));
        if (plan.appliedAt().isPresent()) {
            throw new ApiError(409, "conflict", "plan " + id + " was applied at " + plan.appliedAt().get() + " by "
                    + plan.appliedBy().orElse("?") + "; sluice recover show " + id + " shows how far it got");
        }
        List<String> changed = new ArrayList<>();
        for (RecoveryStore.StepRecord s : plan.steps()) {
            Optional<RecoveryStore.RunNow> now = s.now();
            if (now.isEmpty() || now.get().rowVersion() != s.rowVersion()) {
                changed.add(s.runId() + " (" + s.pipeline() + " " + s.logicalDate() + ", now "
                        + now.map(r -> r.state().wireName()).orElse("gone") + ")");
            }
        }
        if (!changed.isEmpty()) {
            gate.audit(who, "apply", id, "refused: stale", "changed since the plan was made: " + String.join(", ", changed));
            throw new ApiError(409, "stale", "plan " + id + " is stale, nothing was changed: " + changed.size()
                    + (changed.size() == 1 ? " run" : " runs") + " changed since it was made: " + String.join(", ", changed)
                    + "; make a new plan with sluice recover plan");
        }
        if (!plans.markApplied(id, who)) {
            throw new ApiError(409, "conflict", "plan " + id + " is being applied already");
        }
        gate.audit(who, "apply", id, "applied", plan.steps().size() + " steps");
        run();
        return show(id);
    }

    /**
     * Clears the next steps of the plans being applied, keeping at most {@code window} of each
     * plan's runs queued or running. Called after every run ends and on every scheduler tick.
     */
    @Override
    public synchronized void run() {
        for (String id : plans.plansInProgress()) {
            try {
                advance(id);
            } catch (RuntimeException e) {
                LOG.error("applying recovery plan {} failed; trying again on the next tick", id, e);
            }
        }
    }

    private void advance(String id) {
        RecoveryStore.PlanRecord plan = plans.plan(id).orElseThrow();
        int inFlight = 0;
        for (RecoveryStore.StepRecord s : plan.steps()) {
            if (s.clearedAt().isPresent() && s.note().isEmpty()) {
                RunState state = s.now().map(RecoveryStore.RunNow::state).orElse(RunState.SUCCEEDED);
                if (state == RunState.QUEUED || state == RunState.RUNNING) {
                    inFlight++;
                }
            }
        }
        boolean cleared = false;
        for (RecoveryStore.StepRecord s : plan.steps()) {
            if (inFlight >= window) {
                break;
            }
            if (s.clearedAt().isPresent()) {
                continue;
            }
            Optional<RunRecord> run = runs.findRun(s.runId());
            if (run.isEmpty() || run.get().rowVersion() != s.rowVersion()) {
                String note = "passed over: the run changed after the plan was applied (now "
                        + run.map(r -> r.state().wireName()).orElse("gone") + ")";
                runs.write(w -> w.recoveryStepDone(id, s.position(), Optional.of(note)));
                gate.audit(plan.appliedBy().orElse("?"), "clear", s.pipeline() + " " + s.runId(), "passed over", "plan " + id + ": " + note);
                continue;
            }
            List<String> tasks;
            try {
                tasks = s.action().equals(RecoveryPlanner.Action.RERUN.wireName())
                        ? runs.tasks(s.runId()).stream().map(TaskRecord::taskId).toList()
                        : tasksToClear(run.get(), List.of(), false);
            } catch (ApiError e) {
                runs.write(w -> w.recoveryStepDone(id, s.position(), Optional.of("passed over: " + e.getMessage())));
                continue;
            }
            String who = plan.appliedBy().orElse("?");
            try {
                doClear(run.get(), tasks, "cleared by " + who + " (recovery plan " + id + ", step " + s.position() + ")",
                        Optional.of(s.rowVersion()), Optional.of(Map.entry(id, s.position())));
            } catch (UnknownRunException | io.sluice.store.ConcurrentChangeException e) {
                runs.write(w -> w.recoveryStepDone(id, s.position(), Optional.of("passed over: " + e.getMessage())));
                continue;
            }
            gate.audit(who, "clear", s.pipeline() + " " + s.runId(), "cleared",
                    "plan " + id + " step " + s.position() + " (" + s.action() + "): tasks " + String.join(", ", tasks));
            inFlight++;
            cleared = true;
        }
        if (cleared) {
            reconsider.run();
        }
    }

    static Set<String> pipelinesOf(JsonNode node) {
        Set<String> result = new HashSet<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> result.add(n.asString()));
        }
        return result;
    }
}
