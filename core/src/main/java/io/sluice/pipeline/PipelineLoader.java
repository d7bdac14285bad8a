package io.sluice.pipeline;

import io.sluice.definition.ParsedPipeline;
import io.sluice.definition.PipelineDirectory;
import io.sluice.definition.PipelineParser;
import io.sluice.definition.PipelineTest;
import io.sluice.definition.PipelineValidator;
import io.sluice.playbook.ParsedPlaybook;
import io.sluice.playbook.Playbook;
import io.sluice.playbook.PlaybookCoverage;
import io.sluice.playbook.PlaybookParser;
import io.sluice.problem.Problem;
import io.sluice.yaml.Position;
import io.sluice.yaml.YamlLimits;
import io.sluice.yaml.YamlTreeCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a pipeline directory and runs every check on it, as {@code sluice validate} reports them. */
public final class PipelineLoader {
    public static final String DEFINITION = "pipeline.yaml";
    public static final String PLAYBOOK = "PLAYBOOK.md";

    private PipelineLoader() {
    }

    /** Whether {@code path} looks like a pipeline: a directory with a pipeline.yaml, or the file itself. */
    public static boolean isPipelinePath(Path path) {
        return Files.isRegularFile(path.resolve(DEFINITION)) || (path.getFileName() != null
                && path.getFileName().toString().equals(DEFINITION) && Files.isRegularFile(path));
    }

    /** The pipeline directory named by {@code path}, which may be the directory or its pipeline.yaml. */
    public static Path directoryOf(Path path) {
        if (path.getFileName() != null && path.getFileName().toString().equals(DEFINITION) && Files.isRegularFile(path)) {
            Path parent = path.toAbsolutePath().getParent();
            return parent;
        }
        return path;
    }

    /**
     * Loads the pipeline in {@code dir}; {@code shownAs} is how the user wrote the directory, so
     * messages say {@code examples/x/pipeline.yaml:3:1}.
     */
    public static LoadedPipeline load(Path dir, String shownAs) throws IOException {
        return load(dir, shownAs, Optional.empty());
    }

    /** {@link #load(Path, String)}, with the YAML trees of texts read before taken from {@code trees}. */
    public static LoadedPipeline load(Path dir, String shownAs, Optional<YamlTreeCache> trees) throws IOException {
        String prefix = shownAs.isEmpty() || shownAs.equals(".") ? "" : (shownAs.endsWith("/") ? shownAs : shownAs + "/");
        String yamlName = prefix + DEFINITION;
        String playbookName = prefix + PLAYBOOK;
        ParsedPipeline parsed = new PipelineParser(YamlLimits.DEFAULT, trees).parse(dir.resolve(DEFINITION), yamlName);
        List<Problem> definition = new ArrayList<>(parsed.problems());
        definition.addAll(PipelineValidator.validate(parsed));
        PipelineDirectory files = PipelineDirectory.scan(dir);
        for (String note : files.skipped()) {
            String file = note.substring(0, note.indexOf(':'));
            definition.add(Problem.warning(prefix + file, 1, 1, note.substring(note.indexOf(':') + 2)));
        }

        List<Problem> playbookProblems = new ArrayList<>();
        Optional<Playbook> playbook = Optional.empty();
        Optional<String> playbookText = Optional.empty();
        Path playbookPath = dir.resolve(PLAYBOOK);
        if (!Files.exists(playbookPath)) {
            playbookProblems.add(Problem.error(playbookName, 1, 1,
                    "missing: every pipeline needs a PLAYBOOK.md saying how to diagnose and fix its failures"));
        } else {
            ParsedPlaybook pb = new PlaybookParser().parse(playbookPath, playbookName);
            playbookProblems.addAll(pb.problems());
            playbook = Optional.of(pb.playbook());
            if (pb.problems().stream().noneMatch(p -> p.message().startsWith("not ") || p.message().startsWith("file is"))) {
                playbookText = Optional.of(Files.readString(playbookPath, StandardCharsets.UTF_8));
            }
            if (parsed.pipeline().isPresent()) {
                playbookProblems.addAll(PlaybookCoverage.check(parsed.pipeline().get(), pb.playbook(), playbookName));
                // a missing entry blocks deploy, like missing coverage, but not a dev run
                checkTestEntries(parsed, pb.playbook(), playbookProblems);
            }
        }
        Optional<String> yamlText = parsed.pipeline().isPresent()
                ? Optional.of(Files.readString(dir.resolve(DEFINITION), StandardCharsets.UTF_8))
                : Optional.empty();
        definition.sort(Problem.ORDER);
        playbookProblems.sort(Problem.ORDER);
        return new LoadedPipeline(shownAs, parsed, playbook, yamlText, playbookText, files, files.version(),
                List.copyOf(definition), List.copyOf(playbookProblems));
    }

    /** A test's {@code expect.playbook} must name an entry that exists. */
    private static void checkTestEntries(ParsedPipeline parsed, Playbook playbook, List<Problem> problems) {
        List<PipelineTest> tests = parsed.pipeline().orElseThrow().tests();
        for (int i = 0; i < tests.size(); i++) {
            Optional<String> expected = tests.get(i).expect().playbook();
            if (expected.isPresent() && playbook.entry(expected.get()).isEmpty()) {
                Position at = parsed.sources().at("tests/" + i + "/expect/playbook");
                problems.add(Problem.error(parsed.file(), at.line(), at.column(), "test '" + tests.get(i).name()
                        + "' expects playbook entry '" + expected.get() + "', which PLAYBOOK.md does not have"));
            }
        }
    }
}
