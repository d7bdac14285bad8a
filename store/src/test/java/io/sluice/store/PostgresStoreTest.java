package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The store contract on a real PostgreSQL (see {@link TestPostgres}), and what only a shared database does. */
class PostgresStoreTest extends RunStoreContractTest {
    private String url;

    @Override
    Database openDatabase(Path home) {
        url = TestPostgres.newDatabase();
        return Database.openUrl(url);
    }

    @Override
    Database reopen() {
        return Database.openUrl(url);
    }

    @Test
    void aHomeFollowsTheDatabaseItsServerNamed() throws Exception {
        java.nio.file.Files.writeString(home.resolve(Database.URL_FILE), url + "\n");
        try (Database viaHome = Database.forHome(home, java.util.Optional.empty())) {
            assertThat(viaHome.shared()).isTrue();
        }
    }

    @Test
    void anUnreachableDatabaseIsOneClearLineWithoutThePassword() {
        assertThatThrownBy(() -> Database.openUrl("jdbc:postgresql://127.0.0.1:1/nowhere?user=sluice&password=hunter2"))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open the database jdbc:postgresql://127.0.0.1:1/nowhere?user=sluice&password=***")
                .hasMessageNotContaining("hunter2");
    }
}
