package io.sluice.definition;

import io.sluice.run.RunState;
import io.sluice.run.TaskState;
import io.sluice.yaml.MapReader;
import io.sluice.yaml.YNode;
import io.sluice.yaml.YNode.YMap;
import io.sluice.yaml.YNode.YScalar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads the {@code tests} block. */
final class TestReader {
    static final List<String> TEST_KEYS = List.of("name", "date", "env", "tasks", "expect");
    static final List<String> EXPECT_KEYS = List.of("state", "tasks", "files", "playbook");
    static final List<String> FILE_KEYS = List.of("path", "equals", "contains", "exists");

    private final Reading reading;

    TestReader(Reading reading) {
        this.reading = reading;
    }

    List<PipelineTest> tests(MapReader root) {
        List<PipelineTest> tests = new ArrayList<>();
        for (MapReader item : reading.mappings(root, "tests", "a test", TEST_KEYS)) {
            String path = "tests/" + tests.size();
            reading.sources.put(path, item.position());
            String name = item.requiredString("name", "a test").orElse("");
            item.value("date").ifPresent(d -> reading.sources.put(path + "/date", d.position()));
            Optional<String> date = item.scalar("date", "a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM)",
                    TestReader::checkedDate);
            Map<String, String> env = reading.stringMap(item, "env", "env");
            item.value("tasks").ifPresent(t -> reading.sources.put(path + "/tasks", t.position()));
            Optional<List<String>> tasks = item.value("tasks").isPresent()
                    ? Optional.of(reading.strings(item, "tasks", path + "/tasks"))
                    : Optional.empty();
            TestExpectation expect = item.value("expect").flatMap(node -> expectation(node, path))
                    .orElse(new TestExpectation(Optional.empty(), Map.of(), List.of(), Optional.empty()));
            if (item.value("expect").isEmpty()) {
                reading.error(item.positionOf("expect"), "test '" + name + "' needs an 'expect' block saying how the run should end");
            }
            tests.add(new PipelineTest(name, date, env, tasks, expect));
        }
        return tests;
    }

    private Optional<TestExpectation> expectation(YNode node, String path) {
        Optional<MapReader> map = MapReader.of(node, "'expect'", reading.problems, EXPECT_KEYS);
        if (map.isEmpty()) {
            return Optional.empty();
        }
        MapReader expect = map.get();
        Optional<RunState> state = expect.scalar("state",
                "a run state (" + Arrays.stream(RunState.values()).map(RunState::wireName).collect(Collectors.joining(", ")) + ")",
                text -> RunState.fromWireName(text).orElse(null));
        Map<String, TaskState> tasks = new LinkedHashMap<>();
        Optional<YMap> taskStates = expect.mapping("tasks");
        taskStates.ifPresent(m -> {
            for (YNode.Entry e : m.entries()) {
                reading.sources.put(path + "/expect/tasks/" + e.key().value(), e.key().position());
                Optional<TaskState> s = e.value() instanceof YScalar v ? TaskState.fromWireName(v.value()) : Optional.empty();
                if (s.isEmpty()) {
                    reading.error(e.value().position(), "expected state of task '" + e.key().value() + "' must be one of "
                            + Arrays.stream(TaskState.values()).map(TaskState::wireName).collect(Collectors.joining(", ")));
                } else {
                    tasks.put(e.key().value(), s.get());
                }
            }
        });
        List<FileExpectation> files = new ArrayList<>();
        for (MapReader file : reading.mappings(expect, "files", "a file expectation", FILE_KEYS)) {
            reading.sources.put(path + "/expect/files/" + files.size(), file.position());
            Optional<String> filePath = file.requiredString("path", "a file expectation");
            filePath.filter(p -> !isInside(p)).ifPresent(p -> reading.error(file.valuePositionOf("path"),
                    "'path' must be relative and stay inside the workspace, found '" + p + "'"));
            Optional<String> equals = file.string("equals");
            equals.filter(p -> !isInside(p)).ifPresent(p -> reading.error(file.valuePositionOf("equals"),
                    "'equals' must name a file of the pipeline by a relative path, found '" + p + "'"));
            Optional<String> contains = file.string("contains");
            Optional<Boolean> exists = file.bool("exists");
            if (equals.isEmpty() && contains.isEmpty() && exists.isEmpty()) {
                reading.error(file.position(), "a file expectation needs 'equals', 'contains' or 'exists'");
            }
            files.add(new FileExpectation(filePath.orElse(""), equals, contains, exists));
        }
        Optional<String> playbook = expect.string("playbook");
        playbook.ifPresent(p -> reading.sources.put(path + "/expect/playbook", expect.positionOf("playbook")));
        return Optional.of(new TestExpectation(state, tasks, files, playbook));
    }

    static String checkedDate(String text) {
        try {
            java.time.LocalDate.parse(text);
            return text;
        } catch (java.time.format.DateTimeParseException notADate) {
            try {
                java.time.LocalDateTime.parse(text);
                return text;
            } catch (java.time.format.DateTimeParseException notADateTime) {
                java.time.OffsetDateTime.parse(text);
                return text;
            }
        }
    }

    static boolean isInside(String relative) {
        if (relative.isBlank() || relative.startsWith("/")) {
            return false;
        }
        for (String part : relative.split("/")) {
            if (part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
