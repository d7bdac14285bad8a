package io.sluice.engine;

import io.sluice.dag.Dag;
import io.sluice.definition.ParsedPipeline;
import io.sluice.definition.Pipeline;
import io.sluice.definition.PipelineParser;
import io.sluice.definition.PipelineTest;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.problem.Problem;
import io.sluice.store.GateStore;
import io.sluice.store.RunStore;
import io.sluice.store.TestOutcome;
import io.sluice.store.TestSession;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deploy gate (lesson 1): a version reaches production only after it validated, has a
 * playbook and tests, and every test passed. There is no way around it: the only shortcut is a
 * version whose exact content (same SHA-256) already passed.
 */
public final class Gate {
    private final GateStore gate;
    private final RunStore runs;
    private final VersionStorage storage;
    private final Clock clock;
    private final String who;

    public Gate(GateStore gate, RunStore runs, VersionStorage storage, Clock clock, String who) {
        this.gate = gate;
        this.runs = runs;
        this.storage = storage;
        this.clock = clock;
        this.who = who;
    }

    /** How a deploy ended. */
    public enum Outcome {
        DEPLOYED,
        ALREADY_GREEN,
        UNCHANGED,
        REFUSED
    }

    /** The gate's answer for one pipeline: the outcome, and every reason when refused. */
    public record Decision(String path, String pipeline, String version, Outcome outcome, List<String> reasons,
                           List<TestResult> tests, Optional<TestSession> greenSession) {
        public boolean refused() {
            return outcome == Outcome.REFUSED;
        }
    }

    /** The checks that need no test run; empty when the pipeline may go on to its tests. */
    public List<String> check(LoadedPipeline loaded, Map<String, Pipeline> others) {
        List<String> reasons = new ArrayList<>();
        for (Problem p : loaded.allProblems()) {
            if (p.isError()) {
                reasons.add(p.render());
            }
        }
        if (loaded.pipeline().isEmpty()) {
            return reasons;
        }
        Pipeline pipeline = loaded.pipeline().get();
        if (loaded.playbook().isEmpty() && reasons.isEmpty()) {
            reasons.add("it has no PLAYBOOK.md: every deployed pipeline needs one");
        }
        if (pipeline.tests().isEmpty()) {
            reasons.add("it has no tests: add a tests: block to pipeline.yaml (docs/pipeline-format.md)");
        }
        crossPipelineCycle(pipeline, others).ifPresent(cycle ->
                reasons.add("depends_on makes a cycle across pipelines: " + String.join(" -> ", cycle)));
        return reasons;
    }

    /**
     * Decides for each pipeline: refused on a failed check; unchanged when it is already active;
     * activated at once when the same version already passed; otherwise tested, and activated only
     * when every test passed. {@code tested} holds the results of the tests this deploy ran.
     */
    public Decision decide(String path, LoadedPipeline loaded, List<String> checks, List<TestResult> tested) throws IOException {
        String id = loaded.pipeline().map(Pipeline::id).orElse(path);
        String version = loaded.version();
        if (!checks.isEmpty()) {
            return audit(new Decision(path, id, version, Outcome.REFUSED, checks, List.of(), Optional.empty()));
        }
        Optional<String> active = gate.activeVersion(id);
        if (active.equals(Optional.of(version))) {
            return audit(new Decision(path, id, version, Outcome.UNCHANGED, List.of(), List.of(), Optional.empty()));
        }
        Optional<TestSession> green = gate.greenSession(version);
        if (green.isEmpty()) {
            List<String> failed = new ArrayList<>();
            for (TestResult r : tested) {
                if (!r.passed()) {
                    failed.add("test " + r.test() + " failed: " + String.join("; ", r.problems()));
                }
            }
            record(loaded, tested, "deploy");
            if (!failed.isEmpty() || tested.isEmpty()) {
                return audit(new Decision(path, id, version, Outcome.REFUSED, failed.isEmpty()
                        ? List.of("its tests did not run") : failed, tested, Optional.empty()));
            }
        }
        runs.saveDefinition(version, id, loaded.pipelineYaml().orElse(""), loaded.playbookMd());
        try {
            java.nio.file.Path stored = storage.store(loaded.files(), version);
            if (gate.sharesVersions()) {
                // servers on other machines unpack the version from the database
                gate.saveBundle(version, Bundles.zip(storage.open(version)));
            }
            gate.storeVersion(version, id, stored.toString());
        } catch (IOException e) {
            return audit(new Decision(path, id, version, Outcome.REFUSED, List.of("its files could not be stored: " + e.getMessage()),
                    tested, green));
        }
        if (!gate.activate(id, version, active, who, "deploy")) {
            return audit(new Decision(path, id, version, Outcome.REFUSED,
                    List.of("another deploy of " + id + " happened meanwhile; deploy again"), tested, green));
        }
        return audit(new Decision(path, id, version, green.isPresent() ? Outcome.ALREADY_GREEN : Outcome.DEPLOYED,
                List.of(), tested, green));
    }

    /** Keeps a test session's results with the version, so that the same version is not tested twice. */
    public void record(LoadedPipeline loaded, List<TestResult> results, String reason) {
        if (results.isEmpty() || loaded.pipeline().isEmpty()) {
            return;
        }
        Instant end = clock.instant();
        long total = results.stream().mapToLong(r -> r.duration().toMillis()).max().orElse(0);
        List<TestOutcome> outcomes = results.stream()
                .map(r -> new TestOutcome(r.test(), r.passed(), r.duration().toMillis(), r.runState(), r.problems())).toList();
        boolean all = results.size() == loaded.pipeline().get().tests().size() && results.stream().allMatch(TestResult::passed);
        gate.recordTestSession(new TestSession(RunIds.next(end), loaded.version(), loaded.pipeline().get().id(), who, reason,
                end.minusMillis(total), end, all, outcomes));
        results.forEach(r -> r.gaps().forEach(gate::recordGap));
    }

    private Decision audit(Decision d) {
        String target = d.pipeline() + "@" + d.version().substring(0, 12);
        String outcome = switch (d.outcome()) {
            case DEPLOYED -> "deployed";
            case ALREADY_GREEN -> "deployed (tests passed before)";
            case UNCHANGED -> "unchanged (already active)";
            case REFUSED -> "refused";
        };
        gate.audit(who, "deploy", target, outcome, d.reasons().isEmpty() ? null : String.join("\n", d.reasons()));
        return d;
    }

    /** The active versions' definitions, by pipeline, to check depends_on across pipelines. */
    public Map<String, Pipeline> activePipelines() {
        Map<String, Pipeline> result = new LinkedHashMap<>();
        gate.activeVersions().forEach((id, version) -> runs.definition(version).ifPresent(d -> {
            ParsedPipeline parsed = new PipelineParser().parse(d.pipelineYaml(), id);
            parsed.pipeline().ifPresent(p -> result.put(id, p));
        }));
        return result;
    }

    static Optional<List<String>> crossPipelineCycle(Pipeline candidate, Map<String, Pipeline> others) {
        Map<String, List<String>> graph = new LinkedHashMap<>();
        others.forEach((id, p) -> graph.put(id, p.dependsOn().stream().map(d -> d.pipeline()).toList()));
        graph.put(candidate.id(), candidate.dependsOn().stream().map(d -> d.pipeline()).toList());
        return new Dag(graph).findCycle();
    }

    /** The tests of a pipeline as runnable cases. */
    public static List<TestRunner.TestCase> cases(LoadedPipeline loaded) {
        List<TestRunner.TestCase> cases = new ArrayList<>();
        for (PipelineTest t : loaded.pipeline().map(Pipeline::tests).orElse(List.of())) {
            cases.add(new TestRunner.TestCase(loaded, t));
        }
        return cases;
    }
}
