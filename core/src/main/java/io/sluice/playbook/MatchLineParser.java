package io.sluice.playbook;

import io.sluice.problem.Problems;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Parses the conditions after {@code match:}, such as {@code task=extract kind=failed log=/not ready/}. */
final class MatchLineParser {
    private final String line;
    private final int lineNumber;
    private final int offset;
    private final Problems problems;
    private int pos;
    private boolean broken;

    /** {@code offset} is the column (0-based) where {@code conditions} starts in the line. */
    MatchLineParser(String conditions, int lineNumber, int offset, Problems problems) {
        this.line = conditions;
        this.lineNumber = lineNumber;
        this.offset = offset;
        this.problems = problems;
    }

    Match parse() {
        Optional<Glob> task = Optional.empty();
        Optional<FailureKind> kind = Optional.empty();
        Optional<Integer> exit = Optional.empty();
        Optional<Pattern> log = Optional.empty();
        while (true) {
            skipSpaces();
            if (pos >= line.length()) {
                break;
            }
            int start = pos;
            int eq = line.indexOf('=', pos);
            int space = indexOfSpace(pos);
            if (eq < 0 || (space >= 0 && space < eq)) {
                error(start, "expected key=value in match line, found '" + word(start) + "'");
                pos = space < 0 ? line.length() : space;
                continue;
            }
            String key = line.substring(pos, eq);
            pos = eq + 1;
            switch (key) {
                case "log" -> log = regex(start);
                case "task" -> task = Optional.of(value()).filter(v -> validGlob(v, start)).map(Glob::of);
                case "kind" -> {
                    String v = value();
                    kind = FailureKind.fromWireName(v);
                    if (kind.isEmpty()) {
                        error(start, "unknown kind '" + v + "': use failed, timed_out, stuck, setup_failed or teardown_failed");
                    }
                }
                case "exit" -> {
                    String v = value();
                    try {
                        int n = Integer.parseInt(v);
                        if (n < 0 || n > 255) {
                            throw new NumberFormatException();
                        }
                        exit = Optional.of(n);
                    } catch (NumberFormatException e) {
                        error(start, "exit must be a number from 0 to 255, found '" + v + "'");
                    }
                }
                default -> {
                    value();
                    error(start, "unknown match condition '" + key + "': use task=, kind=, exit= or log=");
                }
            }
        }
        return new Match(task, kind, exit, log);
    }

    private Optional<Pattern> regex(int start) {
        if (pos >= line.length() || line.charAt(pos) != '/') {
            error(start, "log= takes a regular expression between slashes, such as log=/not ready/");
            value();
            return Optional.empty();
        }
        pos++;
        StringBuilder regex = new StringBuilder();
        boolean closed = false;
        while (pos < line.length()) {
            char c = line.charAt(pos++);
            if (c == '\\' && pos < line.length() && line.charAt(pos) == '/') {
                regex.append('/');
                pos++;
            } else if (c == '\\' && pos < line.length()) {
                regex.append(c).append(line.charAt(pos++));
            } else if (c == '/') {
                closed = true;
                break;
            } else {
                regex.append(c);
            }
        }
        if (!closed) {
            error(start, "log= regular expression has no closing '/'");
            return Optional.empty();
        }
        try {
            return Optional.of(Pattern.compile(regex.toString()));
        } catch (PatternSyntaxException e) {
            error(start, "bad regular expression in log=: " + e.getDescription());
            return Optional.empty();
        }
    }

    private boolean validGlob(String glob, int start) {
        if (glob.isEmpty() || !glob.matches("[a-z0-9_*?]+")) {
            error(start, "task= takes a task id or a glob of [a-z0-9_] with * and ?, found '" + glob + "'");
            return false;
        }
        return true;
    }

    private String value() {
        int end = indexOfSpace(pos);
        if (end < 0) {
            end = line.length();
        }
        String v = line.substring(pos, end);
        pos = end;
        return v;
    }

    private String word(int start) {
        int end = indexOfSpace(start);
        return line.substring(start, end < 0 ? line.length() : end);
    }

    private int indexOfSpace(int from) {
        for (int i = from; i < line.length(); i++) {
            if (Character.isWhitespace(line.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private void skipSpaces() {
        while (pos < line.length() && Character.isWhitespace(line.charAt(pos))) {
            pos++;
        }
    }

    private void error(int column, String message) {
        broken = true;
        problems.error(lineNumber, offset + column + 1, message);
    }

    /** Whether a condition could not be read: such an entry must not match anything. */
    boolean broken() {
        return broken;
    }
}
