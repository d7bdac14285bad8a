package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tools.jackson.databind.JsonNode;

/** The deploy gate as a user drives it: test, deploy, versions, rollback, run by id, audit, playbook gaps. */
class GateTest {
    @TempDir
    Path tmp;

    private CliRunner sluice;

    @BeforeEach
    void home() {
        sluice = new CliRunner(tmp.resolve("home"));
    }

    private static final String PLAYBOOK = """
            # sales

            ## Input missing
            match: task=load kind=failed log=/no input/

            ### Diagnose
            1. `sluice logs RUN load`.

            ### Fix
            1. Put the file back, then rerun.

            ## Load failed
            match: task=load kind=failed

            ### Diagnose
            1. Read the log.

            ### Fix
            1. Fix and rerun.

            ## Anything timed out
            match: task=* kind=timed_out

            ### Diagnose
            1. Check the machine.

            ### Fix
            1. Raise the timeout.
            """;

    /** A pipeline whose load task copies $INPUT to out/result.txt; its test compares it with a fixture. */
    private Path pipeline(String name, String expected) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("pipeline.yaml"), """
                id: sales
                tasks:
                  - id: load
                    run: 'INPUT="${INPUT:-tests/input.txt}"; test -f "$INPUT" || { echo "no input $INPUT" >&2; exit 2; }; mkdir -p out; cp "$INPUT" out/result.txt'
                tests:
                  - name: copies_the_input
                    env: {INPUT: tests/input.txt}
                    expect:
                      state: succeeded
                      tasks: {load: succeeded}
                      files:
                        - {path: out/result.txt, equals: tests/expected.txt}
                  - name: missing_input_is_explained
                    env: {INPUT: tests/nothing.txt}
                    expect:
                      state: failed
                      tasks: {load: failed}
                      playbook: Input missing
                """);
        Files.writeString(dir.resolve("PLAYBOOK.md"), PLAYBOOK);
        Files.writeString(dir.resolve("tests/input.txt"), "42\n");
        Files.writeString(dir.resolve("tests/expected.txt"), expected);
        return dir;
    }

    @Test
    void testRunsEveryTestInItsOwnSandboxAndWritesJUnitXml() throws Exception {
        Path dir = pipeline("sales", "41\n");
        Path junit = tmp.resolve("reports/junit.xml");

        CliRunner.Result r = sluice.run("test", dir.toString(), "--junit", junit.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("PASS  sales / missing_input_is_explained")
                .contains("FAIL  sales / copies_the_input")
                .contains("file out/result.txt differs from tests/expected.txt at line 1: expected '41', found '42'")
                .contains("1 passed, 1 failed");
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
        Element suite = (Element) xml.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("name")).isEqualTo("sales");
        assertThat(suite.getAttribute("tests")).isEqualTo("2");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        NodeList failures = xml.getElementsByTagName("failure");
        assertThat(failures.getLength()).isEqualTo(1);
        assertThat(((Element) failures.item(0).getParentNode()).getAttribute("name")).isEqualTo("copies_the_input");
        assertThat(tmp.resolve("home/workspaces")).doesNotExist();
    }

    @Test
    void aTestThatExpectsTheWrongPlaybookEntrySaysWhichOneMatched() throws IOException {
        Path dir = pipeline("sales", "42\n");
        String yaml = Files.readString(dir.resolve("pipeline.yaml")).replace("playbook: Input missing", "playbook: Load failed");
        Files.writeString(dir.resolve("pipeline.yaml"), yaml);

        CliRunner.Result r = sluice.run("test", dir.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("playbook: expected the failure to match 'Load failed'; load failed and matched 'Input missing'");
    }

    @Test
    void deployActivatesAGreenVersionAndRefusesARedOneWhileTheGreenOneKeepsRunning() throws IOException {
        Path dir = pipeline("sales", "42\n");

        CliRunner.Result first = sluice.run("deploy", dir.toString());
        assertThat(first.exit()).as(first.out()).isZero();
        assertThat(first.out()).contains("sales: deployed version").contains("2 tests passed");
        String green = sluice.run("versions", "--json", "sales").json().get("versions").get(0).get("version").asString();

        Files.writeString(dir.resolve("tests/expected.txt"), "43\n");
        CliRunner.Result second = sluice.run("deploy", dir.toString());
        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.out()).contains("sales: refused; the active version is unchanged")
                .contains("test copies_the_input failed");

        JsonNode versions = sluice.run("versions", "--json", "sales").json().get("versions");
        assertThat(versions).hasSize(2);
        JsonNode active = null;
        for (JsonNode v : versions) {
            assertThat(v.propertyNames()).contains("version", "active", "deployed_at", "tests");
            if (v.get("active").asBoolean()) {
                active = v;
            }
        }
        assertThat(active).isNotNull();
        assertThat(active.get("version").asString()).isEqualTo(green);
        assertThat(active.get("tests")).hasSize(2);

        Files.writeString(dir.resolve("tests/input.txt"), "changed in the working copy\n");
        JsonNode run = sluice.run("run", "--json", "sales").json();
        assertThat(run.get("state").asString()).isEqualTo("succeeded");
        assertThat(run.get("version").asString()).as("a deployed run uses the stored version").isEqualTo(green);

        CliRunner.Result again = sluice.run("audit", "--json");
        List<String> outcomes = new ArrayList<>();
        again.json().get("entries").forEach(e -> outcomes.add(e.get("action").asString() + " " + e.get("outcome").asString()));
        assertThat(outcomes).containsExactly("deploy deployed", "deploy refused");
    }

    @Test
    void theSameVersionIsNotTestedTwiceAndRedeployingTheActiveOneIsANoOp() throws IOException {
        Path dir = pipeline("sales", "42\n");
        assertThat(sluice.run("test", dir.toString()).exit()).isZero();

        CliRunner.Result deploy = sluice.run("deploy", dir.toString());
        assertThat(deploy.out()).contains("without testing it again").doesNotContain("testing:");

        CliRunner.Result again = sluice.run("deploy", dir.toString());
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("is already active; nothing to do");
    }

    @Test
    void pipelinesWithoutTestsOrPlaybookOrCoverageAreRefused() throws IOException {
        Path noTests = pipeline("notests", "42\n");
        String yaml = Files.readString(noTests.resolve("pipeline.yaml"));
        Files.writeString(noTests.resolve("pipeline.yaml"), yaml.substring(0, yaml.indexOf("tests:")));
        Path noPlaybook = pipeline("noplaybook", "42\n");
        Files.delete(noPlaybook.resolve("PLAYBOOK.md"));
        Path noKind = pipeline("nokind", "42\n");
        Files.writeString(noKind.resolve("PLAYBOOK.md"), PLAYBOOK.substring(0, PLAYBOOK.indexOf("## Anything timed out")));

        CliRunner.Result r = sluice.run("deploy", noTests.toString(), noPlaybook.toString(), noKind.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("it has no tests")
                .contains("noplaybook/PLAYBOOK.md:1:1: missing")
                .contains("no playbook entry covers task 'load' kind=timed_out");
        assertThat(sluice.run("versions", "sales").exit()).as("nothing was stored").isEqualTo(2);
    }

    @Test
    void deployOffersNoWayAroundTheTests() {
        String help = sluice.run("deploy", "--help").out();

        assertThat(help).doesNotContainIgnoringCase("skip").doesNotContainIgnoringCase("force")
                .doesNotContainIgnoringCase("no-test").doesNotContainIgnoringCase("--yes");
        assertThat(sluice.run("deploy", "--skip-tests", "x").exit()).isEqualTo(2);
    }

    @Test
    void rollbackOnlyToAVersionThatPassedTheGate() throws IOException {
        Path dir = pipeline("sales", "42\n");
        sluice.run("deploy", dir.toString());
        String first = sluice.run("versions", "--json", "sales").json().get("versions").get(0).get("version").asString();
        Files.writeString(dir.resolve("tests/more.txt"), "a second version\n");
        sluice.run("deploy", dir.toString());
        Files.writeString(dir.resolve("tests/expected.txt"), "99\n");
        sluice.run("deploy", dir.toString());
        String red = null;
        for (JsonNode v : sluice.run("versions", "--json", "sales").json().get("versions")) {
            if (!v.get("green").asBoolean()) {
                red = v.get("version").asString();
            }
        }

        CliRunner.Result back = sluice.run("rollback", "sales", first.substring(0, 8));
        assertThat(back.exit()).as(back.err()).isZero();
        assertThat(sluice.run("run", "--json", "sales").json().get("version").asString()).isEqualTo(first);

        CliRunner.Result refused = sluice.run("rollback", "sales", red.substring(0, 8));
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("never passed the gate");
        assertThat(sluice.run("rollback", "nosuch", "abc").exit()).isEqualTo(2);
    }

    @Test
    void twoTestSessionsAtOnceDoNotDisturbEachOther() throws Exception {
        Path a = pipeline("a", "42\n");
        Path b = pipeline("b", "42\n");

        CompletableFuture<CliRunner.Result> first = CompletableFuture.supplyAsync(() -> sluice.run("test", a.toString()));
        CompletableFuture<CliRunner.Result> second = CompletableFuture.supplyAsync(() -> new CliRunner(tmp.resolve("home")).run("test", b.toString()));

        assertThat(first.get().exit()).as(first.get().out()).isZero();
        assertThat(second.get().exit()).as(second.get().out()).isZero();
    }

    @Test
    void failuresNoEntryMatchedAreListedAsGaps() throws IOException {
        Path dir = tmp.resolve("gappy");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), "id: gappy\ntasks:\n  - {id: load, run: 'echo boom; exit 7'}\n");
        Files.writeString(dir.resolve("PLAYBOOK.md"), """
                ## Input missing
                match: task=load kind=failed log=/no input/
                ### Diagnose
                a
                ### Fix
                b
                ## Catch all
                match:
                ### Diagnose
                a
                ### Fix
                b
                """);

        sluice.run("run", dir.toString());
        CliRunner.Result gaps = sluice.run("playbook", "gappy", "--gaps");

        assertThat(gaps.exit()).isZero();
        assertThat(gaps.out()).contains("1 failure the playbook did not cover").contains("load failed (attempt 1, exit 7)")
                .contains("only 'Catch all', which has no conditions").contains("| boom");
        assertThat(sluice.run("playbook", dir.toString()).out()).contains("## Input missing");
    }
}
