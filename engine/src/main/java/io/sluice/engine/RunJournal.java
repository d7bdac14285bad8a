package io.sluice.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/** The run's own log (runs/ID/run.log): what Sluice did for the run, such as what the sweep killed. */
final class RunJournal {
    private final Path file;
    private final Clock clock;

    RunJournal(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    synchronized void write(String line) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, clock.instant() + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the journal is an aid; the database holds the truth
        }
    }
}
