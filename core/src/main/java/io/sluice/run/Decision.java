package io.sluice.run;

import java.util.List;
import java.util.OptionalLong;

/** The decider's answer: what to do now, and when to ask again if nothing else happens first. */
public record Decision(List<Command> commands, OptionalLong wakeAtNanos) {
    public Decision {
        commands = List.copyOf(commands);
    }
}
