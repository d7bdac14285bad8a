package io.sluice.cli;

import io.sluice.engine.RunListener;
import io.sluice.run.RunState;
import io.sluice.run.Step;
import io.sluice.run.StepState;
import io.sluice.run.TaskState;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * Live progress of a run: a line per change. On a terminal, lines are coloured and a footer with
 * the counts is redrawn in place; in a file or pipe, plain lines only, and no line for waiting.
 */
final class ProgressPrinter implements RunListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintWriter out;
    private final boolean interactive;
    private final int width;
    private final Map<String, TaskState> states = new HashMap<>();
    private final int total;
    private boolean footerShown;
    /** The footer's counts, kept as states change: a 1,000-task run prints a few thousand lines. */
    private int running;
    private int waiting;
    private int done;
    /** The clock as printed, made again only when the second changes. */
    private long shownSecond = -1;
    private String shownTime = "";

    ProgressPrinter(PrintWriter out, boolean interactive, int taskCount, int nameWidth) {
        this.out = out;
        this.interactive = interactive;
        this.total = taskCount;
        this.width = Math.max(8, Math.min(nameWidth, 32));
    }

    @Override
    public synchronized void runChanged(String runId, RunState state, String reason) {
        if (state == RunState.RUNNING) {
            return;
        }
        line("run", state.wireName() + (reason.isEmpty() ? "" : ": " + reason), colour(state.wireName()));
    }

    @Override
    public synchronized void stepChanged(Step step, StepState state, String detail) {
        String word = state.name().toLowerCase(java.util.Locale.ROOT);
        line(step.wireName(), word + (detail.isEmpty() ? "" : ": " + detail), colour(word));
    }

    @Override
    public synchronized void taskChanged(String task, TaskState state, int attempt, String detail) {
        count(states.put(task, state), -1);
        count(state, 1);
        if (state == TaskState.WAITING && !interactive) {
            return;
        }
        String text = state.wireName();
        if (state == TaskState.RUNNING) {
            text += attempt > 1 ? " (attempt " + attempt + ")" : "";
        } else if (!detail.isEmpty()) {
            text += ": " + detail;
        }
        line(task, text, colour(state.wireName()));
    }

    @Override
    public synchronized void note(String line) {
        line("note", line, "");
    }

    private void count(TaskState state, int by) {
        if (state == null) {
            return;
        }
        if (state == TaskState.RUNNING) {
            running += by;
        } else if (state == TaskState.WAITING || state == TaskState.RETRYING) {
            waiting += by;
        } else if (state.isTerminal()) {
            done += by;
        }
    }

    private void line(String name, String text, String colour) {
        clearFooter();
        StringBuilder line = new StringBuilder(64).append(time()).append("  ").append(name);
        for (int pad = name.length(); pad < width; pad++) {
            line.append(' ');
        }
        line.append("  ").append(colour).append(text);
        if (interactive && !colour.isEmpty()) {
            line.append("\u001b[0m");
        }
        out.println(line);
        if (interactive) {
            footer();
        }
        out.flush();
    }

    /**
     * The local time of day, HH:MM:SS. From java.util.TimeZone's offset rather than java.time's
     * zone: the latter's first use of a named zone looks for zone-rule providers in every jar on
     * the class path, 30-60 ms of a cold start.
     */
    private String time() {
        long now = System.currentTimeMillis();
        long second = now / 1000;
        if (second != shownSecond) {
            shownSecond = second;
            long local = Math.floorMod(Math.floorDiv(now + java.util.TimeZone.getDefault().getOffset(now), 1000L), 86_400L);
            shownTime = LocalTime.ofSecondOfDay(local).format(TIME);
        }
        return shownTime;
    }

    private void footer() {
        out.print("\u001b[2m  " + done + "/" + total + " done, " + running + " running, " + waiting + " waiting\u001b[0m");
        footerShown = true;
    }

    private void clearFooter() {
        if (footerShown) {
            out.print("\r\u001b[2K");
            footerShown = false;
        }
    }

    /** Ends the live display so that what follows starts on a clean line. */
    synchronized void close() {
        clearFooter();
        out.flush();
    }

    private String colour(String state) {
        if (!interactive) {
            return "";
        }
        return switch (state) {
            case "succeeded" -> "\u001b[32m";
            case "failed", "timed_out", "upstream_failed" -> "\u001b[31m";
            case "running", "retrying" -> "\u001b[36m";
            case "waiting", "cancelled", "skipped" -> "\u001b[33m";
            default -> "";
        };
    }
}
