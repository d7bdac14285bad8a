package io.sluice.engine;

import io.sluice.dag.Dag;
import io.sluice.definition.Task;
import io.sluice.run.StepState;
import io.sluice.store.NewRun;
import io.sluice.store.RunStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Creates a run in the store: queued, its tasks pending, its definition kept for later explanations. */
public final class RunCreator {
    private final RunStore store;
    private final Clock clock;

    public RunCreator(RunStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public String create(RunSpec spec) {
        NewRun run = newRun(spec);
        store.createRun(run);
        return run.id();
    }

    /** Creates a scheduled or backfill run unless its interval has one; the id when it was created. */
    public java.util.Optional<String> createOnce(RunSpec spec) {
        NewRun run = newRun(spec);
        return store.createRunOnce(run) ? java.util.Optional.of(run.id()) : java.util.Optional.empty();
    }

    private NewRun newRun(RunSpec spec) {
        store.saveDefinition(spec.version(), spec.pipeline().id(), spec.pipelineYaml(), spec.playbookMd());
        List<String> order = order(spec);
        String id = RunIds.next(clock.instant());
        return new NewRun(id, spec.pipeline().id(), spec.version(), spec.kind(),
                spec.sourcePath().map(Object::toString), spec.logicalDate(), spec.interval(), spec.params(),
                spec.pipeline().environment().setup().isPresent() ? StepState.PENDING : StepState.NONE,
                spec.pipeline().environment().teardown().isPresent() ? StepState.PENDING : StepState.NONE,
                order);
    }

    /** The run's tasks (all, or the test's subset) in an order where each follows what it needs. */
    static List<String> order(RunSpec spec) {
        Map<String, List<String>> graph = new LinkedHashMap<>();
        for (Task task : spec.pipeline().tasks()) {
            if (spec.onlyTasks().map(s -> s.contains(task.id())).orElse(true)) {
                graph.put(task.id(), task.needs());
            }
        }
        return new Dag(graph).topologicalOrder()
                .orElseThrow(() -> new IllegalArgumentException("the pipeline has a cycle; validate it first"));
    }
}
