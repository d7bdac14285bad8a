package io.sluice.store;

/** A conditional update found a row in another state than expected: someone else changed it first. */
public final class ConcurrentChangeException extends StoreException {
    public ConcurrentChangeException(String message) {
        super(message);
    }
}
