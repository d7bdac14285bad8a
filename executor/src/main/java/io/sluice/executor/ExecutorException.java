package io.sluice.executor;

/** The executor could not start, watch or stop a process, or prepare a workspace. */
public class ExecutorException extends RuntimeException {
    public ExecutorException(String message) {
        super(message);
    }

    public ExecutorException(String message, Throwable cause) {
        super(message, cause);
    }
}
