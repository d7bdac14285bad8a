package io.sluice.server;

import io.sluice.store.AttemptRecord;
import io.sluice.store.RunRecord;
import io.sluice.store.TaskRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The logs of a run as data, shared by {@code sluice logs} and the API: which attempts there are,
 * how long each log is, and a window of its text (the last MiB, or from a byte offset for
 * following a log as it grows).
 */
public final class LogsJson {
    public static final int WINDOW = 1 << 20;

    private LogsJson() {
    }

    /** Which logs to show: a task (or setup/teardown), an attempt, an offset, and whether to include text. */
    public record Query(Optional<String> task, Optional<Integer> attempt, Optional<Long> from, boolean text) {
    }

    /** Thrown for a task the run does not have. */
    public static final class UnknownTaskException extends RuntimeException {
        UnknownTaskException(String message) {
            super(message);
        }
    }

    public static Map<String, Object> json(RunRecord run, List<TaskRecord> tasks, List<AttemptRecord> attempts, Query query,
                                           UnaryOperator<String> mask) {
        Optional<String> name = query.task().map(LogsJson::storedName);
        if (name.isPresent() && !name.get().startsWith("_") && tasks.stream().noneMatch(t -> t.taskId().equals(name.get()))) {
            throw new UnknownTaskException("run " + run.id() + " has no task '" + query.task().get() + "' (tasks: "
                    + String.join(", ", tasks.stream().map(TaskRecord::taskId).toList()) + ")");
        }
        List<Map<String, Object>> logs = new ArrayList<>();
        for (AttemptRecord a : attempts) {
            if ((name.isPresent() && !a.taskId().equals(name.get())) || (query.attempt().isPresent() && a.attempt() != query.attempt().get())) {
                continue;
            }
            Path log = Path.of(a.logPath());
            long size = size(log);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", displayName(a.taskId()));
            m.put("attempt", a.attempt());
            m.put("outcome", a.outcome().orElse(null));
            m.put("exit_code", a.exitCode().orElse(null));
            m.put("size", size);
            if (query.text()) {
                long from = query.from().orElse(Math.max(0, size - WINDOW));
                Window w = window(log, from, query.from().isEmpty() && from > 0);
                m.put("truncated", query.from().isEmpty() && size > WINDOW);
                m.put("next", w.next());
                m.put("log", mask.apply(w.text()));
            }
            logs.add(m);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run", run.id());
        result.put("state", run.state().wireName());
        result.put("ended", run.state().isTerminal());
        result.put("logs", logs);
        return result;
    }

    public static String displayName(String stored) {
        return switch (stored) {
            case AttemptRecord.SETUP -> "setup";
            case AttemptRecord.TEARDOWN -> "teardown";
            default -> stored;
        };
    }

    private static String storedName(String task) {
        return switch (task) {
            case "setup" -> AttemptRecord.SETUP;
            case "teardown" -> AttemptRecord.TEARDOWN;
            default -> task;
        };
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** A piece of a log, and the offset to read on from. */
    private record Window(String text, long next) {
    }

    /**
     * Up to {@link #WINDOW} bytes from {@code from}, never splitting a UTF-8 character at the end;
     * a tail (cut at the front) starts at the next line.
     */
    private static Window window(Path log, long from, boolean tail) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            if (from >= length) {
                return new Window("", Math.max(from, length));
            }
            f.seek(from);
            byte[] bytes = new byte[(int) Math.min(length - from, WINDOW)];
            f.readFully(bytes);
            int end = bytes.length;
            if (from + end < length) {
                // do not split a UTF-8 character: back up to the start of one
                while (end > 0 && (bytes[end - 1] & 0xC0) == 0x80) {
                    end--;
                }
                if (end > 0 && (bytes[end - 1] & 0x80) != 0) {
                    end--;
                }
            }
            int start = 0;
            if (tail) {
                while (start < end && bytes[start] != '\n') {
                    start++;
                }
                start = Math.min(end, start + 1);
            }
            return new Window(new String(bytes, start, end - start, StandardCharsets.UTF_8), from + end);
        } catch (IOException e) {
            return new Window("", from);
        }
    }
}
