package io.sluice.definition;

import io.sluice.dag.Dag;
import io.sluice.problem.Problem;
import io.sluice.yaml.DidYouMean;
import io.sluice.yaml.Position;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks that need the whole pipeline: duplicate ids, {@code needs} naming no task, cycles,
 * tests naming unknown tasks. The parser has already checked each value on its own.
 */
public final class PipelineValidator {
    private PipelineValidator() {
    }

    public static List<Problem> validate(ParsedPipeline parsed) {
        List<Problem> problems = new ArrayList<>();
        Optional<Pipeline> maybe = parsed.pipeline();
        if (maybe.isEmpty()) {
            return problems;
        }
        Pipeline pipeline = maybe.get();
        Checker c = new Checker(parsed, problems);
        Map<String, Integer> firstIndex = c.taskIds(pipeline);
        c.needs(pipeline, firstIndex);
        c.cycles(pipeline, firstIndex);
        c.tests(pipeline, firstIndex.keySet());
        c.dependencies(pipeline);
        return problems;
    }

    private record Checker(ParsedPipeline parsed, List<Problem> problems) {
        void error(String path, String message) {
            Position at = parsed.sources().at(path);
            problems.add(Problem.error(parsed.file(), at.line(), at.column(), message));
        }

        Map<String, Integer> taskIds(Pipeline pipeline) {
            Map<String, Integer> first = new LinkedHashMap<>();
            for (int i = 0; i < pipeline.tasks().size(); i++) {
                String id = pipeline.tasks().get(i).id();
                if (id.isEmpty()) {
                    continue;
                }
                Integer earlier = first.putIfAbsent(id, i);
                if (earlier != null) {
                    error("tasks/" + i, "duplicate task id '" + id + "' (first at line "
                            + parsed.sources().at("tasks/" + earlier).line() + ")");
                }
            }
            return first;
        }

        void needs(Pipeline pipeline, Map<String, Integer> ids) {
            for (int i = 0; i < pipeline.tasks().size(); i++) {
                Task task = pipeline.tasks().get(i);
                Set<String> seen = new HashSet<>();
                for (int j = 0; j < task.needs().size(); j++) {
                    String need = task.needs().get(j);
                    String path = "tasks/" + i + "/needs/" + j;
                    if (need.equals(task.id())) {
                        error(path, "task '" + task.id() + "' needs itself");
                    } else if (!ids.containsKey(need)) {
                        String hint = DidYouMean.suggest(need, ids.keySet()).map(s -> " (did you mean '" + s + "'?)").orElse("");
                        error(path, "task '" + task.id() + "' needs '" + need + "', which is not a task of this pipeline" + hint);
                    } else if (!seen.add(need)) {
                        error(path, "task '" + task.id() + "' lists '" + need + "' twice in needs");
                    }
                }
            }
        }

        void cycles(Pipeline pipeline, Map<String, Integer> ids) {
            Map<String, List<String>> graph = new LinkedHashMap<>();
            for (Task task : pipeline.tasks()) {
                // a self-need is already reported; leave it out so the cycle report names a real loop
                graph.putIfAbsent(task.id(), task.needs().stream().filter(n -> !n.equals(task.id())).toList());
            }
            new Dag(graph).findCycle().ifPresent(cycle ->
                    error("tasks/" + ids.getOrDefault(cycle.get(0), 0), "cycle in needs: " + String.join(" -> ", cycle)));
        }

        void tests(Pipeline pipeline, Set<String> taskIds) {
            Map<String, Integer> names = new HashMap<>();
            for (int i = 0; i < pipeline.tests().size(); i++) {
                PipelineTest test = pipeline.tests().get(i);
                String path = "tests/" + i;
                Integer earlier = names.putIfAbsent(test.name(), i);
                if (earlier != null && !test.name().isEmpty()) {
                    error(path, "duplicate test name '" + test.name() + "'");
                }
                if (test.tasks().isPresent() && test.tasks().get().isEmpty()) {
                    error(path + "/tasks", "test '" + test.name() + "' runs no task: leave 'tasks' out to run them all");
                }
                test.date().ifPresent(date -> {
                    try {
                        io.sluice.schedule.LogicalDates.manual(pipeline.schedule(), pipeline.timezone(), Optional.of(date), java.time.Instant.EPOCH);
                    } catch (io.sluice.schedule.InvalidDateException e) {
                        error(path + "/date", "test '" + test.name() + "': " + e.getMessage());
                    }
                });
                List<String> subset = test.tasks().orElse(List.of());
                for (int j = 0; j < subset.size(); j++) {
                    if (!taskIds.contains(subset.get(j))) {
                        error(path + "/tasks/" + j, "test '" + test.name() + "' runs task '" + subset.get(j) + "', which does not exist");
                    }
                }
                for (String expected : test.expect().tasks().keySet()) {
                    if (!taskIds.contains(expected)) {
                        error(path + "/expect/tasks/" + expected, "test '" + test.name() + "' expects a state of task '"
                                + expected + "', which does not exist");
                    } else if (!subset.isEmpty() && !subset.contains(expected)) {
                        error(path + "/expect/tasks/" + expected, "test '" + test.name() + "' expects a state of task '"
                                + expected + "', which the test does not run");
                    }
                }
            }
        }

        void dependencies(Pipeline pipeline) {
            for (int i = 0; i < pipeline.dependsOn().size(); i++) {
                if (pipeline.dependsOn().get(i).pipeline().equals(pipeline.id())) {
                    error("depends_on/" + i, "pipeline '" + pipeline.id() + "' depends on itself");
                }
            }
        }
    }
}
