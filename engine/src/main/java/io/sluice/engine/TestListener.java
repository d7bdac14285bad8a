package io.sluice.engine;

/** Hears about tests as they start and end, for progress output. */
public interface TestListener {
    TestListener NONE = new TestListener() {
    };

    default void started(String pipeline, String test) {
    }

    default void finished(TestResult result) {
    }
}
