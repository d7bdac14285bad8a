package io.sluice.playbook;

import java.util.List;
import java.util.Optional;

/** A pipeline's PLAYBOOK.md, its entries in file order. */
public record Playbook(List<PlaybookEntry> entries) {
    public static final Playbook EMPTY = new Playbook(List.of());

    public Playbook {
        entries = List.copyOf(entries);
    }

    public Optional<PlaybookEntry> entry(String title) {
        return entries.stream().filter(e -> e.title().equals(title)).findFirst();
    }
}
