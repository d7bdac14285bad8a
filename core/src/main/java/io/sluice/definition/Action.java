package io.sluice.definition;

import java.util.Optional;

/** A fix script a person may run with {@code sluice action}; never run automatically. */
public record Action(String name, Optional<String> description, String run) {
}
