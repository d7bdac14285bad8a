package io.sluice.server;

import io.sluice.definition.ParsedPipeline;
import io.sluice.definition.Pipeline;
import io.sluice.definition.PipelineDirectory;
import io.sluice.definition.PipelineParser;
import io.sluice.definition.Resources;
import io.sluice.engine.RunSpec;
import io.sluice.engine.SluiceHome;
import io.sluice.engine.VersionStorage;
import io.sluice.playbook.Playbook;
import io.sluice.playbook.PlaybookParser;
import io.sluice.schedule.Interval;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.StoredDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Builds the spec of a run from what the home stored for its version: the definition and, for deployed versions, the files. */
public final class RunSpecs {
    private final RunStore store;
    private final VersionStorage storage;
    private final SluiceHome home;
    private final Resources capacity;
    private final Map<String, Definition> definitions = new ConcurrentHashMap<>();

    /** A version's parsed definition and playbook, kept: versions never change. */
    record Definition(Pipeline pipeline, Playbook playbook, StoredDefinition stored) {
    }

    private final java.util.function.Function<String, Optional<byte[]>> bundles;

    /** {@code bundles} gives a version's files as kept in the database, for versions this home has not stored. */
    public RunSpecs(RunStore store, VersionStorage storage, SluiceHome home, Resources capacity,
                    java.util.function.Function<String, Optional<byte[]>> bundles) {
        this.bundles = bundles;
        this.store = store;
        this.storage = storage;
        this.home = home;
        this.capacity = capacity;
    }

    Definition definition(String version) {
        return definitions.computeIfAbsent(version, v -> {
            StoredDefinition d = store.definition(v).orElseThrow(() -> new IllegalStateException("no definition stored for version " + v));
            ParsedPipeline parsed = new PipelineParser().parse(d.pipelineYaml(), d.pipeline());
            Pipeline p = parsed.pipeline().orElseThrow(() -> new IllegalStateException("stored definition of " + v + " is unreadable"));
            Playbook playbook = d.playbookMd().map(t -> new PlaybookParser().parse(t, "PLAYBOOK.md").playbook()).orElse(Playbook.EMPTY);
            return new Definition(p, playbook, d);
        });
    }

    /** The spec of an existing run (to start it, or to take it over after a restart). */
    /** The spec of the run, or empty when its version's files (or a dev run's workspace) are gone. */
    public Optional<RunSpec> find(RunRecord run) {
        try {
            return Optional.of(forRun(run));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public RunSpec forRun(RunRecord run) throws IOException {
        Definition d = definition(run.version());
        PipelineDirectory files;
        if (stored(run.version())) {
            files = storage.open(run.version());
        } else if (Files.isDirectory(home.workspace(run.id()))) {
            files = PipelineDirectory.scan(home.workspace(run.id())); // a dev run: its workspace is all there is
        } else {
            throw new IOException("the files of version " + run.version().substring(0, 12) + " are not stored");
        }
        return new RunSpec(d.pipeline(), files, run.version(), d.stored().pipelineYaml(), d.stored().playbookMd(), d.playbook(),
                run.kind(), run.sourcePath().map(java.nio.file.Path::of), new Interval(run.intervalStart(), run.intervalEnd()),
                run.logicalDate(), run.params(), tasksOf(run), Map.of(), capacity);
    }

    private Optional<java.util.Set<String>> tasksOf(RunRecord run) {
        return Optional.of(new java.util.HashSet<>(store.tasks(run.id()).stream().map(t -> t.taskId()).toList()));
    }

    /** The stored files of a deployed version. */
    public PipelineDirectory files(String version) throws IOException {
        stored(version);
        return storage.open(version);
    }

    /** Whether the home has the version's files, unpacking them from the database when another server stored them there. */
    private boolean stored(String version) throws IOException {
        if (Files.isDirectory(storage.pathOf(version))) {
            return true;
        }
        Optional<byte[]> bundle = bundles.apply(version);
        if (bundle.isEmpty()) {
            return false;
        }
        storage.unpack(version, bundle.get());
        return true;
    }

    /** The spec of a new run of a deployed version. */
    RunSpec forNew(String version, RunKind kind, Interval interval, String logicalDate, Map<String, String> params) throws IOException {
        Definition d = definition(version);
        return new RunSpec(d.pipeline(), files(version), version, d.stored().pipelineYaml(), d.stored().playbookMd(),
                d.playbook(), kind, Optional.empty(), interval, logicalDate, params, Optional.empty(), Map.of(), capacity);
    }
}
