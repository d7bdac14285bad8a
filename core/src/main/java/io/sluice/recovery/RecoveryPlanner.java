package io.sluice.recovery;

import io.sluice.run.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Works out a recovery plan (SPEC §6 {@code recover plan}): which runs to clear, in which order,
 * and which waiting runs will then resume by themselves. Pure: it reads the runs and the
 * pipelines' {@code depends_on} it is given and changes nothing.
 *
 * <p>A run is repaired only if it is the newest run of its pipeline for its interval: a failed run
 * that a later run of the same interval has replaced needs nothing. An upstream run comes before
 * every run that depends on it, that is, a run of a pipeline downstream (directly or not) whose
 * data interval holds the upstream run's interval start; otherwise older intervals come first.
 */
public final class RecoveryPlanner {
    private RecoveryPlanner() {
    }

    /** A run as the planner sees it. {@code rowVersion} changes with every change of the run. */
    public record Run(String id, String pipeline, String logicalDate, Instant intervalStart, Instant intervalEnd,
                      RunState state, Optional<String> reason, Instant createdAt, long rowVersion) {
    }

    /** What to look at: pipelines (all when empty), intervals starting at or after {@code since}. */
    public record Scope(Set<String> pipelines, Optional<Instant> since, boolean includeDownstream) {
    }

    public enum Action {
        /** Reset the tasks that did not succeed. */
        CLEAR,
        /** Reset every task: it succeeded, but its upstream will produce new data. */
        RERUN;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record Step(Run run, Action action, String why) {
    }

    public record Plan(List<Step> steps, List<Run> resumes) {
    }

    private static final Set<RunState> BROKEN = Set.of(RunState.FAILED, RunState.TIMED_OUT, RunState.CANCELLED);

    /**
     * @param runs every run of a deployed version (scheduled, manual, backfill); dev and test runs are left out by the caller
     * @param upstreams each pipeline's direct {@code depends_on}
     */
    public static Plan plan(Collection<Run> runs, Map<String, List<String>> upstreams, Scope scope) {
        Map<String, Set<String>> ancestors = ancestors(upstreams);
        // the newest run of each (pipeline, interval) is the one that counts
        Map<String, Run> newest = new HashMap<>();
        for (Run r : runs) {
            newest.merge(r.pipeline() + "\u0000" + r.intervalStart(), r,
                    (a, b) -> b.createdAt().isAfter(a.createdAt()) || (b.createdAt().equals(a.createdAt()) && b.id().compareTo(a.id()) > 0) ? b : a);
        }
        List<Run> current = new ArrayList<>(newest.values());
        current.sort(ORDER);

        List<Step> steps = new ArrayList<>();
        for (Run r : current) {
            if (BROKEN.contains(r.state()) && inScope(r, scope)) {
                steps.add(new Step(r, Action.CLEAR, r.state().wireName() + r.reason().map(s -> ": " + s).orElse("")));
            }
        }

        if (scope.includeDownstream()) {
            // succeeded runs below a repaired run read its old output: they go again too (to a fixpoint,
            // since a re-run can itself be upstream of another succeeded run)
            Set<String> planned = new HashSet<>();
            steps.forEach(s -> planned.add(s.run().id()));
            boolean added = true;
            while (added) {
                added = false;
                Map<String, List<Run>> repaired = byPipeline(steps.stream().map(Step::run).toList());
                for (Run r : current) {
                    if (r.state() != RunState.SUCCEEDED || planned.contains(r.id()) || !afterSince(r, scope)) {
                        continue;
                    }
                    Optional<Run> cause = firstUpstreamIn(r, ancestors, repaired);
                    if (cause.isPresent()) {
                        steps.add(new Step(r, Action.RERUN, "upstream " + cause.get().pipeline() + " " + cause.get().logicalDate()
                                + " will produce new data"));
                        planned.add(r.id());
                        added = true;
                    }
                }
            }
        }

        List<Step> ordered = order(steps, ancestors);
        Map<String, List<Run>> repaired = byPipeline(ordered.stream().map(Step::run).toList());
        List<Run> resumes = new ArrayList<>();
        for (Run r : current) {
            if (r.state() == RunState.WAITING && r.reason().equals(Optional.of("upstream"))
                    && firstUpstreamIn(r, ancestors, repaired).isPresent()) {
                resumes.add(r);
            }
        }
        return new Plan(List.copyOf(ordered), List.copyOf(resumes));
    }

    private static final Comparator<Run> ORDER = Comparator.comparing(Run::intervalStart).thenComparing(Run::pipeline).thenComparing(Run::id);

    private static boolean inScope(Run r, Scope scope) {
        return (scope.pipelines().isEmpty() || scope.pipelines().contains(r.pipeline())) && afterSince(r, scope);
    }

    private static boolean afterSince(Run r, Scope scope) {
        return scope.since().map(s -> !r.intervalStart().isBefore(s)).orElse(true);
    }

    /**
     * Kahn's algorithm over the steps: a step is ready once every step upstream of it is placed;
     * among ready steps the oldest interval goes first.
     */
    private static List<Step> order(List<Step> steps, Map<String, Set<String>> ancestors) {
        Map<String, List<Step>> byPipeline = new HashMap<>();
        for (Step s : steps) {
            byPipeline.computeIfAbsent(s.run().pipeline(), k -> new ArrayList<>()).add(s);
        }
        byPipeline.values().forEach(l -> l.sort(Comparator.comparing((Step s) -> s.run().intervalStart())));
        Map<Step, List<Step>> dependants = new HashMap<>();
        Map<Step, Integer> waitingFor = new HashMap<>();
        for (Step s : steps) {
            waitingFor.putIfAbsent(s, 0);
            for (String up : ancestors.getOrDefault(s.run().pipeline(), Set.of())) {
                for (Step u : within(byPipeline.getOrDefault(up, List.of()), s.run())) {
                    dependants.computeIfAbsent(u, k -> new ArrayList<>()).add(s);
                    waitingFor.merge(s, 1, Integer::sum);
                }
            }
        }
        PriorityQueue<Step> ready = new PriorityQueue<>(Comparator.comparing(Step::run, ORDER));
        steps.stream().filter(s -> waitingFor.get(s) == 0).forEach(ready::add);
        List<Step> ordered = new ArrayList<>(steps.size());
        while (!ready.isEmpty()) {
            Step s = ready.poll();
            ordered.add(s);
            for (Step d : dependants.getOrDefault(s, List.of())) {
                if (waitingFor.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        if (ordered.size() != steps.size()) {
            // only a cycle across pipelines could leave steps unplaced, and deploy refuses those
            steps.stream().filter(s -> !ordered.contains(s)).forEach(ordered::add);
        }
        return ordered;
    }

    /** The steps (sorted by interval start) whose interval starts inside {@code r}'s data interval. */
    private static List<Step> within(List<Step> sorted, Run r) {
        List<Step> found = new ArrayList<>();
        for (int i = firstNotBefore(sorted, r.intervalStart(), s -> s.run().intervalStart()); i < sorted.size() && sorted.get(i).run().intervalStart().isBefore(r.intervalEnd()); i++) {
            found.add(sorted.get(i));
        }
        return found;
    }

    /** A repaired run of a pipeline upstream of {@code r} whose interval starts inside {@code r}'s. */
    private static Optional<Run> firstUpstreamIn(Run r, Map<String, Set<String>> ancestors, Map<String, List<Run>> repaired) {
        for (String up : ancestors.getOrDefault(r.pipeline(), Set.of())) {
            List<Run> sorted = repaired.getOrDefault(up, List.of());
            int i = firstNotBefore(sorted, r.intervalStart(), Run::intervalStart);
            if (i < sorted.size() && sorted.get(i).intervalStart().isBefore(r.intervalEnd())) {
                return Optional.of(sorted.get(i));
            }
        }
        return Optional.empty();
    }

    /** The index of the first element of {@code sorted} whose instant is not before {@code t}. */
    private static <T> int firstNotBefore(List<T> sorted, Instant t, java.util.function.Function<T, Instant> at) {
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at.apply(sorted.get(mid)).isBefore(t)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Runs by pipeline, each list sorted by interval start. */
    private static Map<String, List<Run>> byPipeline(List<Run> runs) {
        Map<String, List<Run>> by = new HashMap<>();
        runs.forEach(r -> by.computeIfAbsent(r.pipeline(), k -> new ArrayList<>()).add(r));
        by.values().forEach(l -> l.sort(Comparator.comparing(Run::intervalStart)));
        return by;
    }

    /** Every pipeline upstream of each pipeline, directly or not (the deployed graph is acyclic). */
    static Map<String, Set<String>> ancestors(Map<String, List<String>> upstreams) {
        Map<String, Set<String>> all = new HashMap<>();
        for (String p : upstreams.keySet()) {
            Set<String> seen = new LinkedHashSet<>();
            List<String> todo = new ArrayList<>(upstreams.getOrDefault(p, List.of()));
            while (!todo.isEmpty()) {
                String u = todo.remove(todo.size() - 1);
                if (!u.equals(p) && seen.add(u)) {
                    todo.addAll(upstreams.getOrDefault(u, List.of()));
                }
            }
            all.put(p, seen);
        }
        return all;
    }
}
