package io.sluice.definition;

import java.util.Optional;

/** An expectation on a file the test run left in its workspace. */
public record FileExpectation(String path, Optional<String> equals, Optional<String> contains, Optional<Boolean> exists) {
}
