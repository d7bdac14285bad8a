package io.sluice.yaml;

import io.sluice.problem.Problems;
import io.sluice.yaml.YNode.Entry;
import io.sluice.yaml.YNode.YMap;
import io.sluice.yaml.YNode.YScalar;
import io.sluice.yaml.YNode.YSeq;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads one YAML mapping strictly: every key must be one this mapping knows (else a problem with a
 * suggestion), every value must have the expected type (else a problem at the value). Getters
 * return empty for absent, null or invalid values, so reading goes on and reports everything.
 */
public final class MapReader {
    private final YMap map;
    private final Problems problems;

    public MapReader(YMap map, Problems problems, List<String> knownKeys) {
        this.map = map;
        this.problems = problems;
        for (Entry entry : map.entries()) {
            String key = entry.key().value();
            if (!knownKeys.contains(key)) {
                Position at = entry.key().position();
                String hint = DidYouMean.suggest(key, knownKeys)
                        .map(s -> " (did you mean '" + s + "'?)")
                        .orElse("; known keys here: " + String.join(", ", knownKeys));
                problems.error(at.line(), at.column(), "unknown key '" + key + "'" + hint);
            }
        }
    }

    /** Reads {@code node} as a mapping, or reports that it is not one. */
    public static Optional<MapReader> of(YNode node, String what, Problems problems, List<String> knownKeys) {
        if (node instanceof YMap m) {
            return Optional.of(new MapReader(m, problems, knownKeys));
        }
        if (node instanceof YScalar s && s.isNull()) {
            return Optional.of(new MapReader(new YMap(List.of(), s.position()), problems, knownKeys));
        }
        problems.error(node.position().line(), node.position().column(),
                what + " must be a mapping (key: value lines), found " + node.kind());
        return Optional.empty();
    }

    public Position position() {
        return map.position();
    }

    public YMap map() {
        return map;
    }

    public boolean has(String key) {
        return value(key).isPresent();
    }

    /** The position of the key, or of the mapping when the key is absent. */
    public Position positionOf(String key) {
        return map.entry(key).map(e -> e.key().position()).orElse(map.position());
    }

    /** The position of the key's value, or of the key (or mapping) when there is no value. */
    public Position valuePositionOf(String key) {
        return map.entry(key).map(e -> e.value().position()).orElse(map.position());
    }

    /** The value of {@code key}, unless it is absent or written as null. */
    public Optional<YNode> value(String key) {
        return map.entry(key)
                .map(Entry::value)
                .filter(v -> !(v instanceof YScalar s && s.isNull()));
    }

    public Optional<String> string(String key) {
        Optional<YNode> node = value(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof YScalar s) {
            return Optional.of(s.value());
        }
        expected(key, node.get(), "a single value");
        return Optional.empty();
    }

    public Optional<String> requiredString(String key, String owner) {
        if (value(key).isEmpty()) {
            Position at = map.entry(key).map(e -> e.key().position()).orElse(map.position());
            problems.error(at.line(), at.column(), owner + " needs '" + key + "'");
            return Optional.empty();
        }
        return string(key);
    }

    public Optional<Boolean> bool(String key) {
        return scalar(key, "true or false", v -> switch (v) {
            case "true", "True", "TRUE" -> Boolean.TRUE;
            case "false", "False", "FALSE" -> Boolean.FALSE;
            default -> null;
        });
    }

    public Optional<Integer> integer(String key, int min, int max) {
        return scalar(key, "a whole number from " + min + " to " + max, v -> {
            try {
                int n = Integer.parseInt(v.startsWith("+") ? v.substring(1) : v);
                return n >= min && n <= max ? n : null;
            } catch (NumberFormatException e) {
                return null;
            }
        });
    }

    /** A scalar converted by {@code parse}; a null result means "invalid", reported as expecting {@code what}. */
    public <T> Optional<T> scalar(String key, String what, Function<String, T> parse) {
        Optional<YNode> node = value(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof YScalar s) {
            T result;
            try {
                result = parse.apply(s.value());
            } catch (RuntimeException e) {
                result = null;
            }
            if (result == null) {
                Position at = s.position();
                problems.error(at.line(), at.column(), "'" + key + "' must be " + what + ", found '" + shorten(s.value()) + "'");
                return Optional.empty();
            }
            return Optional.of(result);
        }
        expected(key, node.get(), what);
        return Optional.empty();
    }

    public Optional<YSeq> list(String key) {
        Optional<YNode> node = value(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof YSeq seq) {
            return Optional.of(seq);
        }
        expected(key, node.get(), "a list");
        return Optional.empty();
    }

    public Optional<YMap> mapping(String key) {
        Optional<YNode> node = value(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof YMap m) {
            return Optional.of(m);
        }
        expected(key, node.get(), "a mapping (key: value)");
        return Optional.empty();
    }

    private void expected(String key, YNode found, String what) {
        Position at = found.position();
        problems.error(at.line(), at.column(), "'" + key + "' must be " + what + ", found " + found.kind());
    }

    static String shorten(String value) {
        String oneLine = value.replace("\n", "\\n");
        return oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine;
    }
}
