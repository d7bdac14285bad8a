package io.sluice.engine;

import io.sluice.definition.Pipeline;
import io.sluice.definition.Resources;
import io.sluice.executor.LocalExecutor;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.pipeline.PipelineLoader;
import io.sluice.playbook.Playbook;
import io.sluice.schedule.Interval;
import io.sluice.store.Database;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A real home (SQLite, logs, workspaces) and executor for engine tests; pipelines are written to disk. */
final class EngineFixture implements AutoCloseable {
    final Path root;
    final SluiceHome home;
    final Database database;
    final RunStore store;
    final LocalExecutor executor = new LocalExecutor(Duration.ofSeconds(1));
    final Map<String, String> environment = new HashMap<>(System.getenv());
    RunDriver lastDriver;

    EngineFixture(Path root) {
        this.root = root;
        this.home = new SluiceHome(root.resolve("home"));
        this.database = Database.open(home.root());
        this.store = new RunStore(database, Clock.systemUTC());
    }

    /** Writes a pipeline directory with this pipeline.yaml (and an optional PLAYBOOK.md). */
    Path pipeline(String yaml, String playbook) {
        try {
            Path dir = Files.createTempDirectory(root, "pipeline");
            Files.writeString(dir.resolve("pipeline.yaml"), yaml);
            if (playbook != null) {
                Files.writeString(dir.resolve("PLAYBOOK.md"), playbook);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RunSpec spec(Path dir, Map<String, String> params) {
        try {
            LoadedPipeline loaded = PipelineLoader.load(dir, dir.toString());
            if (loaded.hasDefinitionErrors()) {
                throw new IllegalArgumentException("invalid test pipeline: " + loaded.definitionProblems());
            }
            Pipeline pipeline = loaded.pipeline().orElseThrow();
            Map<String, String> merged = new HashMap<>(pipeline.params());
            merged.putAll(params);
            return new RunSpec(pipeline, loaded.files(), loaded.version(), loaded.pipelineYaml().orElse(""), loaded.playbookMd(),
                    loaded.playbook().orElse(Playbook.EMPTY), RunKind.DEV, Optional.of(dir),
                    new Interval(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z")), "2024-01-01",
                    merged, Optional.empty(), Map.of(), new Resources(2000, 4L << 30));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String create(RunSpec spec) {
        return new RunCreator(store, Clock.systemUTC()).create(spec);
    }

    RunDriver driver(RunListener listener) {
        lastDriver = new RunDriver(store, home, executor, Clock.systemUTC(), listener).withEnvironment(environment);
        return lastDriver;
    }

    RunRecord run(String yaml, String playbook) {
        RunSpec spec = spec(pipeline(yaml, playbook), Map.of());
        return driver(RunListener.NONE).drive(create(spec), spec);
    }

    String log(String runId, String task, int attempt) {
        try {
            return Files.readString(home.log(runId, task, attempt));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        executor.close();
        database.close();
    }
}
