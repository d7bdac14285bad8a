package io.sluice.engine;

import io.sluice.definition.FileExpectation;
import io.sluice.definition.PipelineTest;
import io.sluice.run.RunState;
import io.sluice.run.TaskState;
import io.sluice.store.RunRecord;
import io.sluice.store.TaskRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Checks a test's {@code expect} block (SPEC §2) and says, for each miss, what was expected and what was found. */
final class Expectations {
    private static final long MAX_COMPARED_BYTES = 64L * 1024 * 1024;

    private Expectations() {
    }

    /** The files expectations, checked in the workspace before it is removed; {@code pipelineDir} holds `equals` files. */
    static void checkFiles(PipelineTest test, Path workspace, Path pipelineDir, List<String> problems) {
        for (FileExpectation f : test.expect().files()) {
            Path file = workspace.resolve(f.path()).normalize();
            boolean exists = file.startsWith(workspace) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
            if (f.exists().isPresent() && f.exists().get() != exists) {
                problems.add("file " + f.path() + ": expected it " + (f.exists().get() ? "to exist" : "not to exist")
                        + ", found it " + (exists ? "there" : "missing"));
                continue;
            }
            if (f.equals().isEmpty() && f.contains().isEmpty()) {
                continue;
            }
            if (!exists) {
                problems.add("file " + f.path() + ": expected it to exist, found it missing");
                continue;
            }
            try {
                if (Files.size(file) > MAX_COMPARED_BYTES) {
                    problems.add("file " + f.path() + ": larger than 64 MiB, not compared");
                    continue;
                }
                byte[] actual = Files.readAllBytes(file);
                f.equals().ifPresent(expectedPath -> compare(f.path(), actual, pipelineDir, expectedPath, problems));
                f.contains().ifPresent(text -> {
                    if (!new String(actual, StandardCharsets.UTF_8).contains(text)) {
                        problems.add("file " + f.path() + ": expected it to contain \"" + text + "\", found " + preview(actual));
                    }
                });
            } catch (IOException e) {
                problems.add("file " + f.path() + ": cannot read it: " + e.getMessage());
            }
        }
    }

    private static void compare(String path, byte[] actual, Path pipelineDir, String expectedPath, List<String> problems) {
        Path expectedFile = pipelineDir.resolve(expectedPath).normalize();
        byte[] expected;
        try {
            if (!expectedFile.startsWith(pipelineDir) || !Files.isRegularFile(expectedFile)) {
                problems.add("file " + path + ": the expected file " + expectedPath + " is not in the pipeline");
                return;
            }
            expected = Files.readAllBytes(expectedFile);
        } catch (IOException e) {
            problems.add("file " + path + ": cannot read the expected file " + expectedPath + ": " + e.getMessage());
            return;
        }
        if (Arrays.equals(expected, actual)) {
            return;
        }
        String[] want = new String(expected, StandardCharsets.UTF_8).split("\n", -1);
        String[] got = new String(actual, StandardCharsets.UTF_8).split("\n", -1);
        int line = 0;
        while (line < want.length && line < got.length && want[line].equals(got[line])) {
            line++;
        }
        String expectedLine = line < want.length ? "'" + want[line] + "'" : "the end of the file";
        String foundLine = line < got.length ? "'" + got[line] + "'" : "the end of the file";
        problems.add("file " + path + " differs from " + expectedPath + " at line " + (line + 1) + ": expected "
                + expectedLine + ", found " + foundLine);
    }

    /** The state, task and playbook expectations, checked once the run has ended. */
    static void checkRun(PipelineTest test, RunRecord run, List<TaskRecord> tasks, List<Failures.Failed> failures,
                         List<String> problems) {
        Optional<String> playbook = test.expect().playbook();
        Optional<RunState> expected = test.expect().state().or(() -> playbook.isPresent() ? Optional.empty() : Optional.of(RunState.SUCCEEDED));
        String found = run.state().wireName() + run.reason().map(r -> " (" + r + ")").orElse("");
        if (expected.isPresent() && expected.get() != run.state()) {
            problems.add("run: expected " + expected.get().wireName() + ", found " + found);
        }
        if (expected.isEmpty() && run.state() == RunState.SUCCEEDED) {
            problems.add("run: expected a failure matching playbook entry '" + playbook.get() + "', found succeeded");
        }
        Map<String, TaskRecord> byId = tasks.stream().collect(Collectors.toMap(TaskRecord::taskId, t -> t));
        test.expect().tasks().forEach((task, state) -> {
            TaskRecord actual = byId.get(task);
            TaskState got = actual == null ? null : actual.state();
            if (got != state) {
                problems.add("task " + task + ": expected " + state.wireName() + ", found "
                        + (got == null ? "not run" : got.wireName() + actual.cause().map(c -> " (" + c + ")").orElse("")));
            }
        });
        if (playbook.isPresent() && run.state() != RunState.SUCCEEDED) {
            boolean matched = failures.stream().anyMatch(f -> f.entry().equals(playbook));
            if (!matched) {
                String seen = failures.isEmpty() ? "no failure was recorded" : failures.stream()
                        .map(f -> f.task().orElse(f.kind().replace("_failed", "")) + " " + f.kind().replace('_', ' ')
                                + " and matched " + f.entry().map(e -> "'" + e + "'").orElse("no entry"))
                        .distinct().collect(Collectors.joining("; "));
                problems.add("playbook: expected the failure to match '" + playbook.get() + "'; " + seen);
            }
        }
    }

    private static String preview(byte[] content) {
        String text = new String(content, 0, Math.min(content.length, 200), StandardCharsets.UTF_8).replace("\n", "\\n");
        return content.length == 0 ? "an empty file" : "\"" + text + (content.length > 200 ? "..." : "") + "\"";
    }
}
