package io.sluice.cli;

import io.sluice.engine.TestListener;
import io.sluice.engine.TestResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** A line per finished test, the reasons of each failure under it, a summary at the end; colour on a terminal. */
final class TestProgress implements TestListener {
    private final PrintWriter out;
    private final boolean interactive;
    private final int total;
    private final AtomicInteger done = new AtomicInteger();

    TestProgress(PrintWriter out, boolean interactive, int total) {
        this.out = out;
        this.interactive = interactive;
        this.total = total;
    }

    @Override
    public synchronized void finished(TestResult r) {
        int n = done.incrementAndGet();
        String verdict = r.passed() ? colour("PASS", "32") : colour("FAIL", "31");
        out.printf(Locale.ROOT, "%s  %s / %s  %.1fs  [%d/%d]%n", verdict, r.pipeline(), r.test(), r.duration().toMillis() / 1000.0, n, total);
        for (String problem : r.problems()) {
            out.println("      " + problem);
        }
        if (!r.passed() && !r.logExcerpt().isBlank()) {
            out.println("      last lines of the failing log:");
            r.logExcerpt().lines().forEach(l -> out.println("        | " + l));
        }
        out.flush();
    }

    void summary(List<TestResult> results, long millis) {
        long failed = results.stream().filter(r -> !r.passed()).count();
        String line = String.format(Locale.ROOT, "%d passed, %d failed in %.1fs", results.size() - failed, failed, millis / 1000.0);
        out.println(failed == 0 ? colour(line, "32") : colour(line, "31"));
        out.flush();
    }

    private String colour(String text, String code) {
        return interactive ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }
}
