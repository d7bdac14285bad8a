package io.sluice.store;

/** No run has the id (or id prefix) a user gave, or several have that prefix. */
public final class UnknownRunException extends StoreException {
    public UnknownRunException(String message) {
        super(message);
    }
}
