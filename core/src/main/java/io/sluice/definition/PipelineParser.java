package io.sluice.definition;

import io.sluice.problem.Problems;
import io.sluice.schedule.InvalidScheduleException;
import io.sluice.schedule.Schedule;
import io.sluice.source.SourceText;
import io.sluice.yaml.MapReader;
import io.sluice.yaml.YNode;
import io.sluice.yaml.YNode.YMap;
import io.sluice.yaml.YNode.YScalar;
import io.sluice.yaml.YamlLimits;
import io.sluice.yaml.YamlTreeCache;
import io.sluice.yaml.YamlTreeReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads a pipeline.yaml strictly into a {@link Pipeline}, collecting every problem on the way. */
public final class PipelineParser {
    static final List<String> TOP_KEYS = List.of("id", "description", "owner", "schedule", "timezone", "start_date",
            "catchup", "max_active_runs", "on_overlap", "timeout", "max_wait", "params", "env", "secrets",
            "depends_on", "environment", "defaults", "tasks", "actions", "alerts", "tests", "priority");
    static final int MIN_PRIORITY = -1000;
    static final int MAX_PRIORITY = 1000;
    static final List<String> ENVIRONMENT_KEYS = List.of("executor", "image", "setup", "teardown");
    static final List<String> ACTION_KEYS = List.of("description", "run");
    static final List<String> ALERT_KEYS = List.of("webhook", "command");
    static final List<String> DEPENDENCY_KEYS = List.of("pipeline");

    private final YamlLimits limits;
    private final Optional<YamlTreeCache> trees;

    public PipelineParser() {
        this(YamlLimits.DEFAULT);
    }

    public PipelineParser(YamlLimits limits) {
        this(limits, Optional.empty());
    }

    /** A parser that keeps the YAML trees of the texts it reads in {@code trees} (see {@link YamlTreeCache}). */
    public PipelineParser(YamlLimits limits, Optional<YamlTreeCache> trees) {
        this.limits = limits;
        this.trees = trees;
    }

    /** Reads {@code file}; {@code shownAs} is the name used in messages (the path the user typed). */
    public ParsedPipeline parse(Path file, String shownAs) {
        Problems problems = new Problems(shownAs);
        Optional<String> text = SourceText.read(file, limits.maxBytes(), problems);
        if (text.isEmpty()) {
            return new ParsedPipeline(shownAs, Optional.empty(), new SourceMap(), problems.sorted());
        }
        return parse(text.get(), problems);
    }

    public ParsedPipeline parse(String text, String shownAs) {
        return parse(text, new Problems(shownAs));
    }

    private ParsedPipeline parse(String text, Problems problems) {
        Reading reading = new Reading(problems);
        Optional<YNode> root = new YamlTreeReader(limits, trees).read(text, problems);
        if (root.isEmpty()) {
            if (!problems.hasErrors()) {
                problems.error(1, 1, "the file is empty: a pipeline needs at least 'id' and 'tasks'");
            }
            return new ParsedPipeline(problems.file(), Optional.empty(), reading.sources, problems.sorted());
        }
        if (!(root.get() instanceof YMap map)) {
            reading.error(root.get().position(), "a pipeline must be a mapping (key: value lines), found " + root.get().kind());
            return new ParsedPipeline(problems.file(), Optional.empty(), reading.sources, problems.sorted());
        }
        reading.sources.put("", map.position());
        Pipeline pipeline = new TopLevel(reading, new MapReader(map, problems, TOP_KEYS)).read();
        return new ParsedPipeline(problems.file(), Optional.of(pipeline), reading.sources, problems.sorted());
    }

    /** The top-level keys. */
    private static final class TopLevel {
        private final Reading reading;
        private final MapReader root;

        TopLevel(Reading reading, MapReader root) {
            this.reading = reading;
            this.root = root;
        }

        Pipeline read() {
            String id = reading.id(root, "id", "pipeline").orElse("");
            Optional<Schedule> schedule = root.string("schedule").flatMap(this::schedule);
            ZoneId zone = root.scalar("timezone", "an IANA time zone such as Europe/Warsaw or UTC", PipelineParser::zone)
                    .orElse(ZoneOffset.UTC);
            Optional<LocalDate> startDate = root.scalar("start_date", "a date (YYYY-MM-DD)", LocalDate::parse);
            boolean catchup = root.bool("catchup").orElse(false);
            int maxActiveRuns = root.integer("max_active_runs", 1, 1000).orElse(1);
            OverlapPolicy onOverlap = root.scalar("on_overlap", "wait or skip", v -> switch (v) {
                case "wait" -> OverlapPolicy.WAIT;
                case "skip" -> OverlapPolicy.SKIP;
                default -> null;
            }).orElse(OverlapPolicy.WAIT);
            var timeout = reading.positiveDuration(root, "timeout");
            var maxWait = reading.positiveDuration(root, "max_wait");
            Map<String, String> params = reading.stringMap(root, "params", "param");
            Map<String, String> env = reading.stringMap(root, "env", "env");
            List<String> secrets = reading.strings(root, "secrets", "secrets");
            for (int i = 0; i < secrets.size(); i++) {
                if (!Ids.isEnvName(secrets.get(i))) {
                    reading.error(reading.sources.at("secrets/" + i), "bad secret name '" + secrets.get(i)
                            + "': use letters, digits and _, not starting with a digit");
                }
            }
            TaskReader taskReader = new TaskReader(reading);
            return new Pipeline(id,
                    root.string("description"),
                    root.string("owner"),
                    schedule, zone, startDate, catchup, maxActiveRuns, onOverlap, timeout, maxWait,
                    params, env, secrets,
                    dependsOn(),
                    environment(),
                    taskReader.defaults(root),
                    taskReader.tasks(root),
                    actions(),
                    alerts(),
                    new TestReader(reading).tests(root),
                    root.integer("priority", MIN_PRIORITY, MAX_PRIORITY).orElse(0));
        }

        private Optional<Schedule> schedule(String expression) {
            try {
                return Optional.of(Schedule.parse(expression));
            } catch (InvalidScheduleException e) {
                reading.error(root.map().entry("schedule").orElseThrow().value().position(), e.getMessage());
                return Optional.empty();
            }
        }

        private List<Dependency> dependsOn() {
            List<Dependency> result = new ArrayList<>();
            Optional<YNode> node = root.value("depends_on");
            if (node.isEmpty()) {
                return result;
            }
            if (!(node.get() instanceof YNode.YSeq seq)) {
                reading.error(node.get().position(), "'depends_on' must be a list, found " + node.get().kind());
                return result;
            }
            for (YNode item : seq.items()) {
                reading.sources.put("depends_on/" + result.size(), item.position());
                Optional<String> upstream;
                if (item instanceof YScalar s && !s.isNull()) {
                    upstream = Optional.of(s.value());
                } else {
                    upstream = MapReader.of(item, "a depends_on entry", reading.problems, DEPENDENCY_KEYS)
                            .flatMap(m -> m.requiredString("pipeline", "a depends_on entry"));
                }
                upstream.filter(u -> !Ids.isValid(u)).ifPresent(u ->
                        reading.error(item.position(), "bad pipeline id '" + u + "' in depends_on: use " + Ids.RULE));
                upstream.ifPresent(u -> result.add(new Dependency(u)));
            }
            return result;
        }

        private RunEnvironment environment() {
            Optional<YMap> node = root.mapping("environment");
            if (node.isEmpty()) {
                return RunEnvironment.LOCAL;
            }
            MapReader map = new MapReader(node.get(), reading.problems, ENVIRONMENT_KEYS);
            ExecutorKind executor = map.scalar("executor", "local or kubernetes", v -> switch (v) {
                case "local" -> ExecutorKind.LOCAL;
                case "kubernetes" -> ExecutorKind.KUBERNETES;
                default -> null;
            }).orElse(ExecutorKind.LOCAL);
            Optional<String> image = map.string("image");
            if (image.isPresent() && executor != ExecutorKind.KUBERNETES) {
                reading.warning(map.positionOf("image"), "'image' is used only with executor: kubernetes");
            }
            if (image.isEmpty() && executor == ExecutorKind.KUBERNETES) {
                reading.error(map.positionOf("executor"), "executor: kubernetes needs an 'image'");
            }
            return new RunEnvironment(executor, image, nonBlank(map, "setup"), nonBlank(map, "teardown"));
        }

        private Optional<String> nonBlank(MapReader map, String key) {
            Optional<String> value = map.string(key);
            if (value.isPresent() && value.get().isBlank()) {
                reading.error(map.positionOf(key), "'" + key + "' is empty");
                return Optional.empty();
            }
            return value;
        }

        private Map<String, Action> actions() {
            Map<String, Action> actions = new LinkedHashMap<>();
            Optional<YMap> node = root.mapping("actions");
            if (node.isEmpty()) {
                return actions;
            }
            for (YNode.Entry e : node.get().entries()) {
                String name = e.key().value();
                reading.sources.put("actions/" + name, e.key().position());
                if (!Ids.isValid(name)) {
                    reading.error(e.key().position(), "bad action name '" + name + "': use " + Ids.RULE);
                }
                MapReader.of(e.value(), "action '" + name + "'", reading.problems, ACTION_KEYS).ifPresent(m -> {
                    Optional<String> run = m.requiredString("run", "action '" + name + "'");
                    actions.put(name, new Action(name, m.string("description"), run.orElse("")));
                });
            }
            return actions;
        }

        private List<AlertSink> alerts() {
            List<AlertSink> alerts = new ArrayList<>();
            for (MapReader item : reading.mappings(root, "alerts", "an alert sink", ALERT_KEYS)) {
                Optional<String> webhook = item.string("webhook");
                Optional<String> command = item.string("command");
                if (webhook.isPresent() == command.isPresent()) {
                    reading.error(item.position(), "an alert sink needs exactly one of 'webhook' or 'command'");
                    continue;
                }
                if (webhook.isPresent()) {
                    if (!isHttpUrl(webhook.get())) {
                        reading.error(item.valuePositionOf("webhook"), "'webhook' must be an http or https URL, found '" + webhook.get() + "'");
                    }
                    alerts.add(new AlertSink.Webhook(webhook.get()));
                } else {
                    alerts.add(new AlertSink.Command(command.get()));
                }
            }
            return alerts;
        }
    }

    static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            return null;
        }
    }

    static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }
}
