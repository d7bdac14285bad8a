package io.sluice.run;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A transition table (from, event, to), declared in one place. Every legal state change is a row;
 * anything else throws. The table also draws the diagrams in docs/.
 */
public final class StateMachine<S extends Enum<S>, E extends Enum<E>> {

    /** One legal state change. */
    public record Transition<S, E>(S from, E event, S to) {
    }

    private final String entity;
    private final List<Transition<S, E>> transitions;
    private final Map<S, Map<E, S>> table;

    public StateMachine(String entity, Class<S> states, Class<E> events, List<Transition<S, E>> transitions) {
        this.entity = entity;
        this.transitions = List.copyOf(transitions);
        this.table = new EnumMap<>(states);
        for (Transition<S, E> t : transitions) {
            S previous = table.computeIfAbsent(t.from(), s -> new EnumMap<>(events)).put(t.event(), t.to());
            if (previous != null) {
                throw new IllegalArgumentException(entity + ": two rows for " + t.from() + " on " + t.event());
            }
        }
    }

    public Optional<S> next(S from, E event) {
        return Optional.ofNullable(table.getOrDefault(from, Map.of()).get(event));
    }

    /** The state after {@code event}, or an {@link IllegalTransitionException}. */
    public S apply(S from, E event) {
        return next(from, event).orElseThrow(() -> new IllegalTransitionException(entity, from, event));
    }

    public String entity() {
        return entity;
    }

    public List<Transition<S, E>> transitions() {
        return transitions;
    }
}
