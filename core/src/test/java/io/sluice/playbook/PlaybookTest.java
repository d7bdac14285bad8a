package io.sluice.playbook;

import static io.sluice.fixtures.PipelineBuilder.aPipeline;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.problem.Problem;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlaybookTest {
    private static final String PLAYBOOK = """
            # daily_sales

            Intro text is not an entry.

            ## Something failed
            match: kind=failed

            ### Diagnose
            1. Look at the log.

            ### Fix
            1. Fix it.

            ## Extract failed
            match: task=extract kind=failed

            ### Diagnose
            1. Open the extract log.

            ### Fix
            1. Rerun extract.

            ## Orders export is late
            match: task=extract kind=failed log=/source .* not ready/

            ### Diagnose
            1. Check the export.
            ```
            ## this is code, not an entry
            ```

            ### Fix
            1. Wait, then `sluice recover plan --pipeline daily_sales`.

            ## Exit three
            match: task=extract exit=3

            ### Diagnose
            1. Exit 3 means a bad file.

            ### Fix
            1. Replace the file.

            ## Anything timed out
            match: task=* kind=timed_out

            ### Diagnose
            1. Check load.

            ### Fix
            1. Raise the timeout.
            """;

    private final Playbook playbook = parse(PLAYBOOK);

    private static Playbook parse(String text) {
        ParsedPlaybook parsed = new PlaybookParser().parse(text, "PLAYBOOK.md");
        assertThat(parsed.problems()).isEmpty();
        return parsed.playbook();
    }

    private Optional<String> entryFor(String task, FailureKind kind, Integer exit, String log) {
        return PlaybookMatcher.match(playbook, new Failure(Optional.ofNullable(task), kind, Optional.ofNullable(exit), log))
                .map(PlaybookEntry::title);
    }

    @Test
    void headingsInCodeBlocksAreNotEntries() {
        assertThat(playbook.entries()).extracting(PlaybookEntry::title)
                .containsExactly("Something failed", "Extract failed", "Orders export is late", "Exit three", "Anything timed out");
        assertThat(playbook.entry("Orders export is late").orElseThrow().diagnose()).contains("## this is code");
    }

    @Test
    void aLogMatchBeatsEverythingElse() {
        assertThat(entryFor("extract", FailureKind.FAILED, 3, "error: source orders_2024.csv not ready\n"))
                .hasValue("Orders export is late");
    }

    @Test
    void anExitMatchBeatsAKindAndTaskMatch() {
        assertThat(entryFor("extract", FailureKind.FAILED, 3, "boom")).hasValue("Exit three");
    }

    @Test
    void aSpecificTaskBeatsAnyTaskWhenBothNameTheKind() {
        assertThat(entryFor("extract", FailureKind.FAILED, 1, "boom")).hasValue("Extract failed");
        assertThat(entryFor("load", FailureKind.FAILED, 1, "boom")).hasValue("Something failed");
    }

    @Test
    void tiesGoToTheEntryWrittenFirst() {
        Playbook twins = parse("""
                ## First
                match: kind=failed
                ### Diagnose
                a
                ### Fix
                b
                ## Second
                match: kind=failed
                ### Diagnose
                a
                ### Fix
                b
                """);

        assertThat(PlaybookMatcher.match(twins, new Failure(Optional.of("t"), FailureKind.FAILED, Optional.of(1), "")))
                .map(PlaybookEntry::title).hasValue("First");
    }

    @Test
    void aRunLevelFailureMatchesOnlyEntriesForAnyTask() {
        assertThat(entryFor(null, FailureKind.TIMED_OUT, null, "")).hasValue("Anything timed out");
        assertThat(entryFor(null, FailureKind.SETUP_FAILED, 1, "")).isEmpty();
    }

    @Test
    void aPathologicalRegexDoesNotHang() {
        Playbook evil = parse("""
                ## Evil
                match: log=/(a+)+b/
                ### Diagnose
                a
                ### Fix
                b
                """);

        assertThat(PlaybookMatcher.match(evil, new Failure(Optional.of("t"), FailureKind.FAILED, Optional.of(1), "a".repeat(5000) + "c")))
                .isEmpty();
    }

    @Test
    void aRegexThatWouldOverflowTheStackCountsAsNoMatch() {
        Playbook deep = parse("""
                ## Deep
                match: log=/(.|\\n)*Exception/
                ### Diagnose
                a
                ### Fix
                b
                """);
        String log = "line\n".repeat(20_000) + "java.lang.RuntimeException: boom\n";

        assertThat(PlaybookMatcher.match(deep, new Failure(Optional.of("t"), FailureKind.FAILED, Optional.of(1), log))).isEmpty();
    }

    @Test
    void coverageNamesEachTaskAndKindThatNoEntryCovers() {
        var pipeline = aPipeline().task("extract").task("load", "extract").setup("./up.sh").build();
        Playbook partial = parse("""
                ## Extract failed
                match: task=extract kind=failed
                ### Diagnose
                a
                ### Fix
                b
                ## Load broke
                match: task=load kind=failed log=/oops/
                ### Diagnose
                a
                ### Fix
                b
                """);

        assertThat(PlaybookCoverage.check(pipeline, partial, "PLAYBOOK.md")).extracting(Problem::render).containsExactly(
                "PLAYBOOK.md:1:1: no playbook entry covers task 'extract' kind=timed_out: add an entry with match: task=extract kind=timed_out",
                "PLAYBOOK.md:1:1: warning: task 'load' kind=failed is covered only by entries that need a log line or exit code; other such failures match no entry",
                "PLAYBOOK.md:1:1: no playbook entry covers task 'load' kind=timed_out: add an entry with match: task=load kind=timed_out",
                "PLAYBOOK.md:1:1: no playbook entry covers the run kind=setup_failed: add an entry with match: kind=setup_failed");
    }

    @Test
    void stuckMustBeCoveredOnlyWhenThePipelineCanWait() {
        Playbook none = Playbook.EMPTY;
        var waits = aPipeline().task("a").dependsOn("upstream").build();

        assertThat(PlaybookCoverage.check(waits, none, "P.md")).extracting(Problem::message)
                .anyMatch(m -> m.contains("kind=stuck"));
        assertThat(PlaybookCoverage.check(aPipeline().task("a").build(), none, "P.md")).extracting(Problem::message)
                .noneMatch(m -> m.contains("kind=stuck"));
    }

    @Test
    void aConditionFreeEntryCoversEverythingButDrawsAWarning() {
        ParsedPlaybook parsed = new PlaybookParser().parse("""
                ## Catch all
                match:
                ### Diagnose
                a
                ### Fix
                b
                """, "PLAYBOOK.md");

        assertThat(parsed.problems()).extracting(Problem::render).containsExactly(
                "PLAYBOOK.md:1:1: warning: entry 'Catch all' has no conditions, so it matches every failure; name the task and kind it is for");
        assertThat(PlaybookCoverage.check(aPipeline().task("a").build(), parsed.playbook(), "PLAYBOOK.md")).isEmpty();
    }

    @Test
    void brokenEntriesAreReportedWithTheirLines() {
        ParsedPlaybook parsed = new PlaybookParser().parse("""
                # p

                ## No match line
                ### Diagnose
                a
                ### Fix
                b

                ## Bad conditions
                match: task=Extract kind=exploded exit=999 log=/unclosed( size=big
                ### Diagnose
                a

                ## Bad conditions
                match: kind=failed
                ### Diagnose

                ### Fix
                x
                """, "PLAYBOOK.md");

        assertThat(parsed.problems()).extracting(Problem::render).containsExactly(
                "PLAYBOOK.md:3:1: entry 'No match line' must start with a 'match:' line",
                "PLAYBOOK.md:9:1: entry 'Bad conditions' needs a non-empty '### Fix' section",
                "PLAYBOOK.md:10:8: task= takes a task id or a glob of [a-z0-9_] with * and ?, found 'Extract'",
                "PLAYBOOK.md:10:21: unknown kind 'exploded': use failed, timed_out, stuck, setup_failed or teardown_failed",
                "PLAYBOOK.md:10:35: exit must be a number from 0 to 255, found '999'",
                "PLAYBOOK.md:10:44: log= regular expression has no closing '/'",
                "PLAYBOOK.md:14:1: duplicate entry 'Bad conditions' (first at line 9)",
                "PLAYBOOK.md:16:1: entry 'Bad conditions' needs a non-empty '### Diagnose' section");
    }
}
