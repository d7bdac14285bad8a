package io.sluice.playbook;

/** One {@code ##} entry of a PLAYBOOK.md: what it matches and the steps to diagnose and fix. */
public record PlaybookEntry(String title, int line, Match match, String diagnose, String fix) {
}
