package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The store contract on a home's SQLite as a command opens it: one connection its threads take in turn. */
class CommandSqliteStoreTest extends RunStoreContractTest {
    @Override
    Database openDatabase(Path home) {
        return Database.forCommand(home);
    }

    @Override
    Database reopen() {
        return Database.forCommand(home);
    }

    @Test
    void threadsOfOneCommandWriteInTurnAndLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                writers.add(() -> {
                    for (int j = 0; j < 10; j++) {
                        store.createRun(aRun("thr" + n + "run00" + j, "a", "b"));
                        store.runs(Optional.empty(), 5); // a read between the writes, on the same connection
                    }
                    return n;
                });
            }
            for (Future<Integer> f : pool.invokeAll(writers)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(store.runs(Optional.empty(), 100)).hasSize(40);
        // a command that opens the home next sees every run, through a pool as a server would
        try (Database other = Database.open(home)) {
            assertThat(new RunStore(other, Clock.systemUTC()).runs(Optional.empty(), 100)).hasSize(40);
        }
    }
}
