package io.sluice.yaml;

import java.util.List;
import java.util.Optional;

/** A YAML value with the position it was written at: the tree the definition readers walk. */
public sealed interface YNode {

    Position position();

    /** What a user would call this kind of value, for "expected X, found Y" messages. */
    String kind();

    /** A scalar; {@code plain} is false when it was quoted or tagged as a string. */
    record YScalar(String value, boolean plain, Position position) implements YNode {
        public boolean isNull() {
            return plain && (value.isEmpty() || value.equals("~") || value.equals("null")
                    || value.equals("Null") || value.equals("NULL"));
        }

        @Override
        public String kind() {
            return isNull() ? "nothing" : "a scalar";
        }
    }

    /** A sequence. */
    record YSeq(List<YNode> items, Position position) implements YNode {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A mapping, keys in the order written; keys are scalars and unique (the tree builder checks). */
    record YMap(List<Entry> entries, Position position) implements YNode {
        public Optional<Entry> entry(String key) {
            // a plain loop: a 1,000-task pipeline asks each task's mapping for each key it may have
            for (Entry e : entries) {
                if (e.key().value().equals(key)) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** One key and its value. */
    record Entry(YScalar key, YNode value) {
    }
}
