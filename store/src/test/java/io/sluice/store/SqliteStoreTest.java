package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a home's embedded SQLite, and what only a home's database does. */
class SqliteStoreTest extends RunStoreContractTest {
    @Override
    Database openDatabase(Path home) {
        return Database.open(home);
    }

    @Override
    Database reopen() {
        return Database.open(home);
    }

    @Test
    void manyProcessesMayOpenANewHomeAtOnce(@TempDir Path fresh) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> openers = java.util.stream.IntStream.range(0, 4).<Callable<Integer>>mapToObj(i -> () -> {
                try (Database db = Database.open(fresh)) {
                    new RunStore(db, Clock.systemUTC()).createRun(aRun("par000000" + i, "a"));
                    return i;
                }
            }).toList();
            for (Future<Integer> f : pool.invokeAll(openers)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        try (Database db = Database.open(fresh)) {
            assertThat(new RunStore(db, Clock.systemUTC()).runs(Optional.empty(), 10)).hasSize(4);
        }
    }
}
