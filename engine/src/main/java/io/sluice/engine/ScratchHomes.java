package io.sluice.engine;

import io.sluice.executor.LocalSandbox;
import io.sluice.executor.ProcTable;
import io.sluice.executor.ProcessSweeper;
import io.sluice.store.Database;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The scratch homes of test sessions, under the system temp directory. Each records the process
 * that owns it; a session killed with SIGKILL leaves its home behind, and the next session removes
 * it (and kills what its runs left running) once that owner is gone.
 */
final class ScratchHomes {
    private static final String PREFIX = "sluice-test-";
    private static final String OWNER = "owner";

    private ScratchHomes() {
    }

    static Path create() throws IOException {
        Path dir = Files.createTempDirectory(PREFIX);
        long pid = ProcessHandle.current().pid();
        Files.writeString(dir.resolve(OWNER), pid + " " + ProcTable.startTime(pid).orElse("") + "\n", StandardCharsets.UTF_8);
        return dir;
    }

    static void removeAbandoned() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (isAbandoned(dir)) {
                    remove(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a stale scratch home costs disk, not correctness
        }
    }

    /** Scratch homes whose session is gone: what {@link #removeAbandoned} would remove. */
    static java.util.List<Path> abandoned() {
        java.util.List<Path> found = new java.util.ArrayList<>();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (isAbandoned(dir)) {
                    found.add(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing to report
        }
        return found;
    }

    private static boolean isAbandoned(Path dir) throws IOException {
        Path owner = dir.resolve(OWNER);
        if (!Files.isRegularFile(owner)) {
            return false; // being created, or not ours
        }
        String[] f = Files.readString(owner, StandardCharsets.UTF_8).trim().split(" ");
        long pid = Long.parseLong(f[0]);
        return f.length < 2 || !ProcTable.isAlive(pid, f[1]);
    }

    static void remove(Path dir) throws IOException {
        if (Files.exists(dir.resolve("sluice.db"))) {
            try (Database db = Database.open(dir)) {
                for (RunRecord r : new RunStore(db, Clock.systemUTC()).runs(Optional.empty(), 100_000)) {
                    ProcessSweeper.sweepAll(r.id() + "/");
                }
            }
        }
        LocalSandbox.deleteTree(dir);
    }
}
