package io.sluice.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.recovery.RecoveryPlanner.Action;
import io.sluice.recovery.RecoveryPlanner.Plan;
import io.sluice.recovery.RecoveryPlanner.Run;
import io.sluice.recovery.RecoveryPlanner.Scope;
import io.sluice.recovery.RecoveryPlanner.Step;
import io.sluice.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which runs a recovery plan repairs, and in which order. */
class RecoveryPlannerTest {
    private static final Instant DAY1 = Instant.parse("2026-11-01T00:00:00Z");
    private static final Scope ALL = new Scope(Set.of(), Optional.empty(), false);
    private final List<Run> runs = new ArrayList<>();
    private int created;

    private Run run(String pipeline, int day, RunState state, String reason) {
        Instant start = DAY1.plus(Duration.ofDays(day - 1));
        Run r = new Run(pipeline + "-" + day + "-" + created, pipeline, "2026-11-0" + day, start, start.plus(Duration.ofDays(1)), state,
                Optional.ofNullable(reason), DAY1.plusSeconds(created++), 3);
        runs.add(r);
        return r;
    }

    private static List<String> order(Plan plan) {
        return plan.steps().stream().map(s -> s.run().pipeline() + " " + s.run().logicalDate()).toList();
    }

    @Test
    void anUpstreamRunIsRepairedBeforeTheRunsThatDependOnItAndOlderDaysFirst() {
        run("report", 1, RunState.FAILED, "render failed");
        run("orders", 2, RunState.FAILED, "load failed");
        run("orders", 1, RunState.TIMED_OUT, "run timed out");
        run("report", 2, RunState.CANCELLED, "cancelled by ann");
        run("report", 3, RunState.SUCCEEDED, null);

        Plan plan = RecoveryPlanner.plan(runs, Map.of("orders", List.of(), "report", List.of("orders")), ALL);

        assertThat(order(plan)).containsExactly("orders 2026-11-01", "report 2026-11-01", "orders 2026-11-02", "report 2026-11-02");
        assertThat(plan.steps()).extracting(Step::action).containsOnly(Action.CLEAR);
    }

    @Test
    void theOrderHoldsAcrossPipelinesThatAreOnlyIndirectlyUpstream() {
        run("c", 1, RunState.FAILED, null);
        run("a", 1, RunState.FAILED, null);
        run("b", 1, RunState.SUCCEEDED, null);

        Plan plan = RecoveryPlanner.plan(runs, Map.of("a", List.of(), "b", List.of("a"), "c", List.of("b")), ALL);

        assertThat(order(plan)).containsExactly("a 2026-11-01", "c 2026-11-01");
    }

    @Test
    void aFailedRunThatALaterRunOfTheSameIntervalReplacedNeedsNothing() {
        run("orders", 1, RunState.FAILED, null);
        run("orders", 1, RunState.SUCCEEDED, null);

        assertThat(RecoveryPlanner.plan(runs, Map.of("orders", List.of()), ALL).steps()).isEmpty();
    }

    @Test
    void waitingDownstreamRunsAreListedAsResumingAndSucceededOnesAreRerunOnlyWhenAsked() {
        run("orders", 1, RunState.FAILED, null);
        Run waiting = run("report", 1, RunState.WAITING, "upstream");
        run("orders", 2, RunState.FAILED, null);
        Run done = run("audit", 2, RunState.SUCCEEDED, null);
        Map<String, List<String>> graph = Map.of("orders", List.of(), "report", List.of("orders"), "audit", List.of("orders"));

        Plan plain = RecoveryPlanner.plan(runs, graph, ALL);
        Plan deep = RecoveryPlanner.plan(runs, graph, new Scope(Set.of(), Optional.empty(), true));

        assertThat(plain.resumes()).containsExactly(waiting);
        assertThat(order(plain)).containsExactly("orders 2026-11-01", "orders 2026-11-02");
        assertThat(order(deep)).containsExactly("orders 2026-11-01", "orders 2026-11-02", "audit 2026-11-02");
        assertThat(deep.steps().get(2).action()).isEqualTo(Action.RERUN);
        assertThat(deep.steps().get(2).run()).isEqualTo(done);
    }

    @Test
    void scopeLimitsThePipelinesAndTheDates() {
        run("orders", 1, RunState.FAILED, null);
        run("orders", 3, RunState.FAILED, null);
        run("other", 3, RunState.FAILED, null);

        Plan plan = RecoveryPlanner.plan(runs, Map.of("orders", List.of(), "other", List.of()),
                new Scope(Set.of("orders"), Optional.of(DAY1.plus(Duration.ofDays(1))), false));

        assertThat(order(plan)).containsExactly("orders 2026-11-03");
    }
}
