package io.sluice.playbook;

import io.sluice.problem.Problem;
import java.util.List;

/** A PLAYBOOK.md as read: its entries and the problems found in it. */
public record ParsedPlaybook(String file, Playbook playbook, List<Problem> problems) {
}
