package io.sluice.playbook;

import java.util.List;

/** One {@code ##} entry of a PLAYBOOK.md: what it matches and the steps to diagnose and fix. */
/**
 * One {@code ##} entry of a PLAYBOOK.md. {@code actions}: the pipeline's fix scripts the entry
 * names on {@code action:} lines, which {@code why} and alerts offer as commands to run.
 */
public record PlaybookEntry(String title, int line, Match match, String diagnose, String fix, List<Action> actions) {
    /** An action an entry names, with the line it was named on. */
    public record Action(String name, int line) {
    }

    public PlaybookEntry {
        actions = List.copyOf(actions);
    }

    public PlaybookEntry(String title, int line, Match match, String diagnose, String fix) {
        this(title, line, match, diagnose, fix, List.of());
    }
}
