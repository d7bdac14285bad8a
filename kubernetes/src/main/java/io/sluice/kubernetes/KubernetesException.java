package io.sluice.kubernetes;

/** The cluster refused or could not be reached; the message is one line for the user. */
public final class KubernetesException extends RuntimeException {
    public KubernetesException(String message) {
        super(message);
    }

    public KubernetesException(String message, Throwable cause) {
        super(message, cause);
    }
}
