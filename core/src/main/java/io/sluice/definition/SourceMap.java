package io.sluice.definition;

import io.sluice.yaml.Position;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the parts of a definition were written, so that checks made after parsing (unknown
 * {@code needs}, cycles, duplicates) can still point at a line. Keys are paths such as
 * {@code tasks/2}, {@code tasks/2/needs/0} or {@code tests/1}.
 */
public final class SourceMap {
    private final Map<String, Position> positions = new HashMap<>();

    void put(String path, Position position) {
        positions.putIfAbsent(path, position);
    }

    public Position at(String path) {
        String p = path;
        while (true) {
            Position found = positions.get(p);
            if (found != null) {
                return found;
            }
            int slash = p.lastIndexOf('/');
            if (slash < 0) {
                return positions.getOrDefault("", Position.START);
            }
            p = p.substring(0, slash);
        }
    }
}
