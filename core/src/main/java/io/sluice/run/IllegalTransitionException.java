package io.sluice.run;

/** A state change the transition table does not allow: a bug, or a race lost to another writer. */
public final class IllegalTransitionException extends RuntimeException {
    public IllegalTransitionException(String entity, Object from, Object event) {
        super(entity + " cannot go from " + from + " on " + event);
    }
}
