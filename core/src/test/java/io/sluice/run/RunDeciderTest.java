package io.sluice.run;

import static io.sluice.fixtures.RunViewBuilder.aRun;
import static io.sluice.fixtures.RunViewBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.run.Command.CancelTask;
import io.sluice.run.Command.FailTask;
import io.sluice.run.Command.FinishRun;
import io.sluice.run.Command.KillStep;
import io.sluice.run.Command.RetryTask;
import io.sluice.run.Command.SkipStep;
import io.sluice.run.Command.StartRun;
import io.sluice.run.Command.StartStep;
import io.sluice.run.Command.StartTask;
import io.sluice.run.Command.SucceedTask;
import io.sluice.run.Command.TimeOutRun;
import io.sluice.run.Command.TimeOutTask;
import io.sluice.run.Command.UpstreamFailTask;
import io.sluice.run.Command.WaitTask;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunDeciderTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aQueuedRunStartsAndStartsItsRootTasksOnly() {
        Decision d = RunDecider.decide(aRun().state(RunState.QUEUED)
                .task(aTask("extract")).task(aTask("load", "extract")).build(), 0);

        assertThat(d.commands()).containsExactly(new StartRun(), new StartTask("extract", 1));
    }

    @Test
    void setupRunsBeforeAnyTask() {
        Decision d = RunDecider.decide(aRun().state(RunState.QUEUED).setup(StepState.PENDING)
                .task(aTask("a")).build(), 0);

        assertThat(d.commands()).containsExactly(new StartRun(), new StartStep(Step.SETUP));
    }

    @Test
    void aTaskStartsOnceEverythingItNeedsSucceeded() {
        Decision d = RunDecider.decide(aRun()
                .task(aTask("a").state(TaskState.SUCCEEDED))
                .task(aTask("b").running(1, 0))
                .task(aTask("c", "a", "b")).build(), 0);

        assertThat(d.commands()).isEmpty();

        Decision after = RunDecider.decide(aRun()
                .task(aTask("a").state(TaskState.SUCCEEDED))
                .task(aTask("b").running(1, 0).exited(0))
                .task(aTask("c", "a", "b")).build(), 0);

        assertThat(after.commands()).containsExactly(new SucceedTask("b"), new StartTask("c", 1));
    }

    @Test
    void tasksThatDoNotFitWaitForCapacityInOrder() {
        Decision d = RunDecider.decide(aRun().capacity(2000)
                .task(aTask("a")).task(aTask("b")).task(aTask("c")).build(), 0);

        assertThat(d.commands()).containsExactly(
                new StartTask("a", 1), new StartTask("b", 1), new WaitTask("c", WaitReason.CAPACITY));
    }

    @Test
    void aWaitingTaskStartsWhenCapacityFreesUp() {
        Decision d = RunDecider.decide(aRun().capacity(2000)
                .task(aTask("a").running(1, 0).exited(0))
                .task(aTask("b").running(1, 0))
                .task(aTask("c").waiting(WaitReason.CAPACITY)).build(), 0);

        assertThat(d.commands()).containsExactly(new SucceedTask("a"), new StartTask("c", 1));
    }

    @Test
    void aTaskBiggerThanTheMachineRunsAloneInsteadOfWaitingForever() {
        Decision d = RunDecider.decide(aRun().capacity(2000).task(aTask("huge").cpus(16)).build(), 0);

        assertThat(d.commands()).containsExactly(new StartTask("huge", 1));
    }

    @Test
    void aFailureWithRetriesLeftRetriesAfterTheDelay() {
        Decision d = RunDecider.decide(aRun()
                .task(aTask("a").retries(2).retryDelay(Duration.ofSeconds(5)).running(1, 0).exited(3)).build(), 10 * SECOND);

        assertThat(d.commands()).containsExactly(new RetryTask("a", false, 3, 15 * SECOND, false));
        assertThat(d.wakeAtNanos()).hasValue(15 * SECOND);

        Decision early = RunDecider.decide(aRun()
                .task(aTask("a").retries(2).state(TaskState.RETRYING).attempts(1).retryAt(15 * SECOND)).build(), 14 * SECOND);
        assertThat(early.commands()).isEmpty();

        Decision due = RunDecider.decide(aRun()
                .task(aTask("a").retries(2).state(TaskState.RETRYING).attempts(1).retryAt(15 * SECOND)).build(), 15 * SECOND);
        assertThat(due.commands()).containsExactly(new StartTask("a", 2));
    }

    @Test
    void theLastFailedAttemptFailsTheTaskAndItsDownstreamCannotRun() {
        Decision d = RunDecider.decide(aRun()
                .task(aTask("a").retries(1).running(2, 0).exited(1))
                .task(aTask("b", "a"))
                .task(aTask("c", "b"))
                .task(aTask("other")).build(), 0);

        assertThat(d.commands()).containsExactly(
                new FailTask("a", 1),
                new UpstreamFailTask("b", "'a' failed"),
                new UpstreamFailTask("c", "'b' upstream_failed"),
                new StartTask("other", 1));
    }

    @Test
    void aTaskPastItsTimeoutIsTimedOutAndAnotherAttemptWaitsForItsProcessToDie() {
        var task = aTask("slow").timeout(Duration.ofSeconds(10)).retries(1).retryDelay(Duration.ZERO);
        Decision d = RunDecider.decide(aRun().task(task.running(1, 0)).build(), 10 * SECOND);

        assertThat(d.commands()).containsExactly(new RetryTask("slow", true, null, 10 * SECOND, true));

        Decision stillDying = RunDecider.decide(aRun().task(aTask("slow").retries(1).state(TaskState.RETRYING)
                .attempts(1).alive(true).killRequested().retryAt(10 * SECOND)).build(), 11 * SECOND);
        assertThat(stillDying.commands()).isEmpty();

        Decision dead = RunDecider.decide(aRun().task(aTask("slow").retries(1).state(TaskState.RETRYING)
                .attempts(1).alive(false).retryAt(10 * SECOND)).build(), 11 * SECOND);
        assertThat(dead.commands()).containsExactly(new StartTask("slow", 2));
    }

    @Test
    void aTimeoutWithNoRetryLeftTimesTheTaskOut() {
        Decision d = RunDecider.decide(aRun().task(aTask("slow").timeout(Duration.ofSeconds(10)).running(1, 0)).build(), 9 * SECOND);
        assertThat(d.commands()).isEmpty();
        assertThat(d.wakeAtNanos()).hasValue(10 * SECOND);

        Decision late = RunDecider.decide(aRun().task(aTask("slow").timeout(Duration.ofSeconds(10)).running(1, 0)).build(), 10 * SECOND);
        assertThat(late.commands()).containsExactly(new TimeOutTask("slow"));
    }

    @Test
    void teardownRunsOnceAfterTheLastTaskEvenWhenATaskFailed() {
        Decision d = RunDecider.decide(aRun().teardown(StepState.PENDING)
                .task(aTask("a").state(TaskState.FAILED))
                .task(aTask("b", "a").state(TaskState.UPSTREAM_FAILED)).build(), 0);

        assertThat(d.commands()).containsExactly(new StartStep(Step.TEARDOWN));

        Decision running = RunDecider.decide(aRun().teardown(StepState.RUNNING)
                .task(aTask("a").state(TaskState.FAILED)).build(), 0);
        assertThat(running.commands()).isEmpty();

        Decision done = RunDecider.decide(aRun().teardown(StepState.SUCCEEDED)
                .task(aTask("a").state(TaskState.FAILED)).build(), 0);
        assertThat(done.commands()).containsExactly(new FinishRun(RunState.FAILED, "a failed"));
    }

    @Test
    void teardownWaitsForTheProcessesOfStoppedTasks() {
        Decision d = RunDecider.decide(aRun().teardown(StepState.PENDING)
                .task(aTask("a").state(TaskState.TIMED_OUT).alive(true).killRequested()).build(), 0);

        assertThat(d.commands()).isEmpty();
    }

    @Test
    void aFailedSetupFailsEveryTaskUpstreamAndStillTearsDown() {
        Decision d = RunDecider.decide(aRun().setup(StepState.FAILED).teardown(StepState.PENDING)
                .task(aTask("a")).task(aTask("b", "a")).build(), 0);

        assertThat(d.commands()).containsExactly(
                new UpstreamFailTask("a", "setup failed"),
                new UpstreamFailTask("b", "setup failed"),
                new StartStep(Step.TEARDOWN));

        Decision done = RunDecider.decide(aRun().setup(StepState.FAILED).teardown(StepState.SUCCEEDED)
                .task(aTask("a").state(TaskState.UPSTREAM_FAILED)).build(), 0);
        assertThat(done.commands()).containsExactly(new FinishRun(RunState.FAILED, "setup failed"));
    }

    @Test
    void aFailedTeardownFailsAnOtherwiseGoodRun() {
        Decision d = RunDecider.decide(aRun().teardown(StepState.FAILED)
                .task(aTask("a").state(TaskState.SUCCEEDED)).build(), 0);

        assertThat(d.commands()).containsExactly(new FinishRun(RunState.FAILED, "teardown failed"));
    }

    @Test
    void aRunWhoseOnlyFailuresAreTimeoutsEndsTimedOut() {
        Decision d = RunDecider.decide(aRun()
                .task(aTask("a").state(TaskState.TIMED_OUT))
                .task(aTask("b").state(TaskState.SUCCEEDED)).build(), 0);

        assertThat(d.commands()).containsExactly(new FinishRun(RunState.TIMED_OUT, "a timed out"));
    }

    @Test
    void theRunTimeoutCountsOnlyRunningTimeAndStopsEverything() {
        Decision before = RunDecider.decide(aRun().timeout(Duration.ofMinutes(1)).runningFor(Duration.ofSeconds(50))
                .task(aTask("a").running(1, 0)).task(aTask("b", "a")).build(), 100 * SECOND);
        assertThat(before.commands()).isEmpty();
        assertThat(before.wakeAtNanos()).hasValue(110 * SECOND);

        Decision after = RunDecider.decide(aRun().timeout(Duration.ofMinutes(1)).runningFor(Duration.ofSeconds(60))
                .task(aTask("a").running(1, 0)).task(aTask("b", "a")).build(), 100 * SECOND);
        assertThat(after.commands()).containsExactly(new TimeOutRun(), new TimeOutTask("a"),
                new CancelTask("b", "run timed out"));
    }

    @Test
    void aTaskWaitingToRetryWhenTheRunTimesOutIsCancelled() {
        Decision d = RunDecider.decide(aRun().timeout(Duration.ofSeconds(2)).runningFor(Duration.ofSeconds(2))
                .task(aTask("flaky").retries(1).state(TaskState.RETRYING).attempts(1).retryAt(99 * SECOND))
                .task(aTask("long").running(1, 0)).build(), 3 * SECOND);

        assertThat(d.commands()).containsExactly(new TimeOutRun(), new CancelTask("flaky", "run timed out"), new TimeOutTask("long"));
    }

    @Test
    void aTimedOutRunEndsTimedOutAfterTeardown() {
        Decision d = RunDecider.decide(aRun().timedOut().timeout(Duration.ofMinutes(1)).teardown(StepState.SUCCEEDED)
                .task(aTask("a").state(TaskState.TIMED_OUT)).build(), 0);

        assertThat(d.commands()).containsExactly(new FinishRun(RunState.TIMED_OUT, "run timed out after 1m"));
    }

    @Test
    void cancelStopsRunningTasksCancelsTheRestAndEndsCancelled() {
        Decision d = RunDecider.decide(aRun().cancelRequested().teardown(StepState.PENDING)
                .task(aTask("a").running(1, 0)).task(aTask("b", "a")).build(), 0);

        assertThat(d.commands()).containsExactly(new CancelTask("a", "run cancelled"), new CancelTask("b", "run cancelled"));

        Decision later = RunDecider.decide(aRun().cancelRequested().teardown(StepState.SUCCEEDED)
                .task(aTask("a").state(TaskState.CANCELLED)).task(aTask("b", "a").state(TaskState.CANCELLED)).build(), 0);
        assertThat(later.commands()).containsExactly(new FinishRun(RunState.CANCELLED, "cancelled"));
    }

    @Test
    void cancelDuringSetupStopsSetupAndSkipsTheTasks() {
        Decision d = RunDecider.decide(aRun().cancelRequested().setup(StepState.RUNNING).teardown(StepState.PENDING)
                .task(aTask("a")).build(), 0);

        assertThat(d.commands()).containsExactly(new KillStep(Step.SETUP, "run cancelled"), new CancelTask("a", "run cancelled"));
    }

    @Test
    void aRunCancelledBeforeItStartedNeverRunsSetupOrTeardown() {
        Decision queued = RunDecider.decide(aRun().state(RunState.QUEUED).cancelRequested().task(aTask("a")).build(), 0);
        assertThat(queued.commands()).containsExactly(new FinishRun(RunState.CANCELLED, "cancelled before it started"));

        Decision d = RunDecider.decide(aRun().cancelRequested().setup(StepState.PENDING).teardown(StepState.PENDING)
                .task(aTask("a")).build(), 0);
        assertThat(d.commands()).containsExactly(new SkipStep(Step.SETUP), new CancelTask("a", "run cancelled"),
                new SkipStep(Step.TEARDOWN), new FinishRun(RunState.CANCELLED, "cancelled"));
    }

    @Test
    void aSetupPastItsTimeoutIsStopped() {
        Decision d = RunDecider.decide(aRun().setup(new StepView(StepState.RUNNING, 0, java.util.Optional.of(Duration.ofSeconds(5)), false))
                .task(aTask("a")).build(), 5 * SECOND);

        assertThat(d.commands()).containsExactly(new KillStep(Step.SETUP, "timed out after 5s"));
    }

    @Test
    void aRunWhereEverythingSucceededSucceeds() {
        Decision d = RunDecider.decide(aRun().task(aTask("a").state(TaskState.SUCCEEDED)).build(), 0);

        assertThat(d.commands()).containsExactly(new FinishRun(RunState.SUCCEEDED, "all tasks succeeded"));
    }

    @Test
    void aFinishedRunNeedsNothing() {
        Decision d = RunDecider.decide(aRun().state(RunState.SUCCEEDED).task(aTask("a").state(TaskState.SUCCEEDED)).build(), 0);

        assertThat(d.commands()).isEmpty();
        assertThat(d.wakeAtNanos()).isEmpty();
    }

    @Test
    void aWideDagOfAThousandTasksIsDecidedInOnePass() {
        var run = aRun().capacity(2000);
        for (int i = 0; i < 1000; i++) {
            run.task(aTask("t" + i));
        }
        Decision d = RunDecider.decide(run.build(), 0);

        assertThat(d.commands()).hasSize(1000);
        assertThat(d.commands().stream().filter(c -> c instanceof StartTask)).hasSize(2);
    }
}
