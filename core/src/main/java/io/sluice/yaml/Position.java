package io.sluice.yaml;

/** A place in a source file; line and column count from 1. */
public record Position(int line, int column) {
    public static final Position START = new Position(1, 1);
}
