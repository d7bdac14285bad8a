package io.sluice.server;

import io.sluice.definition.Pipeline;
import io.sluice.engine.Bundles;
import io.sluice.engine.Gate;
import io.sluice.engine.TestListener;
import io.sluice.engine.TestResult;
import io.sluice.engine.TestRunner;
import io.sluice.engine.VersionStorage;
import io.sluice.executor.LocalSandbox;
import io.sluice.pipeline.LoadedPipeline;
import io.sluice.pipeline.PipelineLoader;
import io.sluice.store.GateStore;
import io.sluice.store.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * Deploys bundles sent to the server: the server unpacks them and runs the gate itself (checks,
 * then the tests in its own sandboxes); it never trusts a client's test results.
 */
public final class Deployer {
    private final GateStore gate;
    private final RunStore runs;
    private final VersionStorage storage;
    private final Path incoming;
    private final Clock clock;
    private final Runnable deployed;

    Deployer(GateStore gate, RunStore runs, VersionStorage storage, Path incoming, Clock clock, Runnable deployed) {
        this.gate = gate;
        this.runs = runs;
        this.storage = storage;
        this.incoming = incoming;
        this.clock = clock;
        this.deployed = deployed;
    }

    /** One deploy at a time: the gate compares with the active versions, which a parallel deploy would change. */
    synchronized Gate.Decision deploy(byte[] bundle, String who) throws IOException {
        Files.createDirectories(incoming);
        Path dir = Files.createTempDirectory(incoming, "bundle-");
        LocalSandbox.deleteTree(dir);
        try {
            try {
                Bundles.unzip(bundle, dir);
            } catch (IOException e) {
                throw ApiError.badRequest("the bundle is refused: " + e.getMessage());
            }
            if (isEmpty(dir)) {
                throw ApiError.badRequest("the bundle holds no files: send the pipeline directory as a zip (sluice deploy does)");
            }
            LoadedPipeline loaded = PipelineLoader.load(dir, "");
            Gate g = new Gate(gate, runs, storage, clock, who);
            Map<String, Pipeline> others = new LinkedHashMap<>(g.activePipelines());
            loaded.pipeline().ifPresent(p -> others.remove(p.id()));
            List<String> reasons = g.check(loaded, others);
            List<TestResult> results = List.of();
            String id = loaded.pipeline().map(Pipeline::id).orElse("");
            boolean needsTests = reasons.isEmpty() && !gate.activeVersion(id).equals(java.util.Optional.of(loaded.version()))
                    && gate.greenSession(loaded.version()).isEmpty();
            if (needsTests) {
                results = new TestRunner(Runtime.getRuntime().availableProcessors(), clock, System.getenv())
                        .run(Gate.cases(loaded), TestListener.NONE);
            }
            Gate.Decision decision = g.decide(id, loaded, reasons, results);
            if (!decision.refused()) {
                deployed.run();
            }
            return decision;
        } finally {
            LocalSandbox.deleteTree(dir);
        }
    }

    /** A gate decision as data: what {@code deploy --json} prints and the API answers. */
    public static Map<String, Object> json(Gate.Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", d.path());
        m.put("pipeline", d.pipeline());
        m.put("version", d.version());
        m.put("outcome", d.outcome().name().toLowerCase(java.util.Locale.ROOT));
        m.put("reasons", d.reasons());
        m.put("tests", d.tests().stream().map(t -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("test", t.test());
            r.put("passed", t.passed());
            r.put("duration_ms", t.duration().toMillis());
            r.put("problems", t.problems());
            return r;
        }).toList());
        d.greenSession().ifPresent(s -> m.put("tested_before", RunJson.object("at", s.endedAt().toString(), "by", s.who())));
        return m;
    }


    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
