package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.definition.Resources;
import io.sluice.run.WaitReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The order in which a server's shared capacity and pools let waiting tasks in. */
class SharedAdmissionTest {
    private static final Resources ONE_CPU = new Resources(1000, 1L << 20);
    private final SharedAdmission admission = new SharedAdmission(new Resources(1000, 1L << 30), Map.of("warehouse", 1));

    @Test
    void aTaskThatDoesNotFitWaitsForCapacityAndGetsInWhenTheHolderReleases() {
        assertThat(admission.acquire("r1", "a", ONE_CPU, Optional.empty(), 0)).isEmpty();
        assertThat(admission.acquire("r2", "b", ONE_CPU, Optional.empty(), 0)).contains(WaitReason.CAPACITY);
        List<String> woken = new ArrayList<>();
        admission.onFree("r2", () -> woken.add("r2"));

        admission.release("r1", "a", ONE_CPU, Optional.empty());

        assertThat(woken).containsExactly("r2");
        assertThat(admission.acquire("r2", "b", ONE_CPU, Optional.empty(), 0)).isEmpty();
    }

    @Test
    void waitersAreServedByPriorityThenFirstComeFirstServed() {
        admission.acquire("holder", "x", ONE_CPU, Optional.empty(), 0);
        admission.acquire("early", "t", ONE_CPU, Optional.empty(), 0);
        admission.acquire("late", "t", ONE_CPU, Optional.empty(), 0);
        admission.acquire("urgent", "t", ONE_CPU, Optional.empty(), 5);
        assertThat(admission.waiting()).containsExactly("urgent/t", "early/t", "late/t");

        admission.release("holder", "x", ONE_CPU, Optional.empty());
        assertThat(admission.acquire("late", "t", ONE_CPU, Optional.empty(), 0)).as("two are ahead of it").contains(WaitReason.CAPACITY);
        assertThat(admission.acquire("early", "t", ONE_CPU, Optional.empty(), 0)).as("urgent is ahead of it").contains(WaitReason.CAPACITY);
        assertThat(admission.acquire("urgent", "t", ONE_CPU, Optional.empty(), 5)).isEmpty();

        admission.release("urgent", "t", ONE_CPU, Optional.empty());
        assertThat(admission.acquire("late", "t", ONE_CPU, Optional.empty(), 0)).contains(WaitReason.CAPACITY);
        assertThat(admission.acquire("early", "t", ONE_CPU, Optional.empty(), 0)).isEmpty();
    }

    @Test
    void aFullPoolMakesTasksWaitWithReasonPoolEvenWhenCapacityIsFree() {
        Resources tiny = new Resources(10, 1024);
        assertThat(admission.acquire("r1", "load", tiny, Optional.of("warehouse"), 0)).isEmpty();
        assertThat(admission.acquire("r2", "load", tiny, Optional.of("warehouse"), 0)).contains(WaitReason.POOL);
        assertThat(admission.acquire("r3", "other", tiny, Optional.empty(), 0)).as("a task outside the pool is not held up").isEmpty();

        admission.release("r1", "load", tiny, Optional.of("warehouse"));
        assertThat(admission.acquire("r2", "load", tiny, Optional.of("warehouse"), 0)).isEmpty();
    }

    @Test
    void aSmallTaskIsNotHeldUpByABigWaiterThatCannotFitYet() {
        Resources half = new Resources(500, 1024);
        admission.acquire("holder", "x", half, Optional.empty(), 0);
        assertThat(admission.acquire("big", "t", ONE_CPU, Optional.empty(), 0)).contains(WaitReason.CAPACITY);
        assertThat(admission.acquire("small", "t", half, Optional.empty(), 0)).as("the big waiter would not fit anyway").isEmpty();
    }

    @Test
    void anEndedRunsWaitersAreForgotten() {
        admission.acquire("holder", "x", ONE_CPU, Optional.empty(), 0);
        admission.acquire("gone", "t", ONE_CPU, Optional.empty(), 9);
        admission.forget("gone");
        admission.release("holder", "x", ONE_CPU, Optional.empty());
        assertThat(admission.acquire("next", "t", ONE_CPU, Optional.empty(), 0)).isEmpty();
    }

    @Test
    void aRunWhoseDriverStoppedGivesBackWhatItsTasksHeldAndAReleaseAfterThatCountsNothing() {
        assertThat(admission.acquire("broken", "a", ONE_CPU, Optional.of("warehouse"), 0)).isEmpty();
        assertThat(admission.acquire("next", "b", ONE_CPU, Optional.of("warehouse"), 0)).contains(WaitReason.POOL);

        admission.forget("broken");
        admission.release("broken", "a", ONE_CPU, Optional.of("warehouse"));

        assertThat(admission.acquire("next", "b", ONE_CPU, Optional.of("warehouse"), 0)).isEmpty();
        assertThat(admission.used()).isEqualTo(ONE_CPU);
    }
}
