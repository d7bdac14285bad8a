package io.sluice.definition;

import io.sluice.problem.Problems;
import io.sluice.yaml.MapReader;
import io.sluice.yaml.Position;
import io.sluice.yaml.YNode;
import io.sluice.yaml.YNode.YMap;
import io.sluice.yaml.YNode.YScalar;
import io.sluice.yaml.YNode.YSeq;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The state shared by the readers of one pipeline.yaml: where problems go and where parts are. */
final class Reading {
    final Problems problems;
    final SourceMap sources = new SourceMap();

    Reading(Problems problems) {
        this.problems = problems;
    }

    void error(Position at, String message) {
        problems.error(at.line(), at.column(), message);
    }

    void warning(Position at, String message) {
        problems.warning(at.line(), at.column(), message);
    }

    Optional<Duration> duration(MapReader map, String key) {
        return map.scalar(key, Durations.FORMS, text -> Durations.parse(text).orElse(null));
    }

    Optional<Duration> positiveDuration(MapReader map, String key) {
        Optional<Duration> d = duration(map, key);
        if (d.isPresent() && d.get().isZero()) {
            error(map.valuePositionOf(key), "'" + key + "' must be longer than zero");
            return Optional.empty();
        }
        return d;
    }

    Optional<String> id(MapReader map, String key, String owner) {
        Optional<String> id = map.requiredString(key, owner);
        if (id.isPresent() && !Ids.isValid(id.get())) {
            error(map.map().entry(key).orElseThrow().value().position(),
                    "bad " + owner + " id '" + id.get() + "': use " + Ids.RULE);
        }
        return id;
    }

    /** A list of single values, each checked by {@code accept} (which reports its own problems). */
    List<String> strings(MapReader map, String key, String path) {
        List<String> result = new ArrayList<>();
        Optional<YNode> node = map.value(key);
        if (node.isEmpty()) {
            return result;
        }
        if (node.get() instanceof YScalar s) {
            // `needs: extract` is a common shorthand for a one-item list
            sources.put(path + "/0", s.position());
            result.add(s.value());
            return result;
        }
        if (!(node.get() instanceof YSeq seq)) {
            error(node.get().position(), "'" + key + "' must be a list, found " + node.get().kind());
            return result;
        }
        for (int i = 0; i < seq.items().size(); i++) {
            YNode item = seq.items().get(i);
            if (item instanceof YScalar s && !s.isNull()) {
                sources.put(path + "/" + result.size(), s.position());
                result.add(s.value());
            } else {
                error(item.position(), "items of '" + key + "' must be single values, found " + item.kind());
            }
        }
        return result;
    }

    /** A mapping of names to single values, such as {@code env} or {@code params}. */
    Map<String, String> stringMap(MapReader map, String key, String what) {
        Map<String, String> result = new LinkedHashMap<>();
        Optional<YMap> m = map.mapping(key);
        if (m.isEmpty()) {
            return result;
        }
        for (YNode.Entry e : m.get().entries()) {
            String name = e.key().value();
            if (!Ids.isEnvName(name)) {
                error(e.key().position(), "bad " + what + " name '" + name
                        + "': use letters, digits and _, not starting with a digit");
            }
            if (e.value() instanceof YScalar s) {
                if (s.value().indexOf('\0') >= 0) {
                    error(s.position(), what + " '" + name + "' contains a NUL character");
                }
                result.put(name, s.isNull() ? "" : s.value());
            } else {
                error(e.value().position(), what + " '" + name + "' must be a single value, found " + e.value().kind());
            }
        }
        return result;
    }

    /** Iterates the items of a list that must be mappings, reporting others. */
    List<MapReader> mappings(MapReader map, String key, String itemName, List<String> knownKeys) {
        List<MapReader> result = new ArrayList<>();
        Optional<YSeq> seq = map.list(key);
        if (seq.isEmpty()) {
            return result;
        }
        for (int i = 0; i < seq.get().items().size(); i++) {
            YNode item = seq.get().items().get(i);
            MapReader.of(item, itemName, problems, knownKeys).ifPresent(result::add);
        }
        return result;
    }
}
