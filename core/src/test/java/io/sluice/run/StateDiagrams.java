package io.sluice.run;

import java.util.stream.Collectors;

/** Renders the transition tables as Mermaid state diagrams and tables for docs/states.md. */
final class StateDiagrams {
    private StateDiagrams() {
    }

    static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Run and task states\n\n");
        b.append("Generated from `core/src/main/java/io/sluice/run/Transitions.java` by `TransitionsTest`;"
                + " do not edit by hand. Every transition is committed to the database, with its time and cause,"
                + " before it takes effect (SPEC §4).\n\n");
        b.append(section("Run", Transitions.RUN));
        b.append(section("Task", Transitions.TASK));
        b.append("""
                ## Waiting reasons

                A run waits with reason `overlap` (max_active_runs reached), `upstream` (a `depends_on` pipeline has
                not succeeded for its interval) or `capacity`; a task waits with reason `capacity` (its resources do
                not fit what is free) or `pool` (its pool has no free slot). Waiting never counts toward a timeout.
                """);
        return b.toString();
    }

    private static <S extends Enum<S>, E extends Enum<E>> String section(String title, StateMachine<S, E> machine) {
        StringBuilder b = new StringBuilder();
        b.append("## ").append(title).append("\n\n```mermaid\nstateDiagram-v2\n");
        b.append("    [*] --> ").append(wire(machine.transitions().get(0).from())).append('\n');
        for (var t : machine.transitions()) {
            b.append("    ").append(wire(t.from())).append(" --> ").append(wire(t.to()))
                    .append(" : ").append(t.event().name().toLowerCase()).append('\n');
        }
        b.append("```\n\n| from | event | to |\n|---|---|---|\n");
        b.append(machine.transitions().stream()
                .map(t -> "| " + wire(t.from()) + " | " + t.event().name().toLowerCase() + " | " + wire(t.to()) + " |")
                .collect(Collectors.joining("\n")));
        b.append("\n\n");
        return b.toString();
    }

    private static String wire(Enum<?> state) {
        return state.name().toLowerCase();
    }
}
