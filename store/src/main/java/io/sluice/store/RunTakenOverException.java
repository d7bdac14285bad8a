package io.sluice.store;

/** The run is driven by another server now (this one was judged dead): this one must let go of it without touching it. */
public final class RunTakenOverException extends StoreException {
    public RunTakenOverException(String message) {
        super(message);
    }
}
