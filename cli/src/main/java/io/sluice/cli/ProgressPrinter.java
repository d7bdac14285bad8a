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
        states.put(task, state);
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

    private void line(String name, String text, String colour) {
        clearFooter();
        String time = LocalTime.now().format(TIME);
        if (interactive) {
            out.printf("%s  %-" + width + "s  %s%s%s%n", time, name, colour, text, colour.isEmpty() ? "" : "\u001b[0m");
            footer();
        } else {
            out.printf("%s  %-" + width + "s  %s%n", time, name, text);
        }
        out.flush();
    }

    private void footer() {
        long running = states.values().stream().filter(s -> s == TaskState.RUNNING).count();
        long waiting = states.values().stream().filter(s -> s == TaskState.WAITING || s == TaskState.RETRYING).count();
        long done = states.values().stream().filter(TaskState::isTerminal).count();
        out.printf("\u001b[2m  %d/%d done, %d running, %d waiting\u001b[0m", done, total, running, waiting);
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
