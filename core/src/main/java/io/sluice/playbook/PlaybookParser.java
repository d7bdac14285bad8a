package io.sluice.playbook;

import io.sluice.problem.Problems;
import io.sluice.source.SourceText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads PLAYBOOK.md (SPEC §5): each {@code ##} heading is an entry whose first non-blank line is
 * {@code match:} with its conditions, followed by non-empty {@code ### Diagnose} and
 * {@code ### Fix} sections. Headings inside fenced code blocks are text.
 */
public final class PlaybookParser {
    public static final long MAX_BYTES = 1024 * 1024;

    public ParsedPlaybook parse(Path file, String shownAs) {
        Problems problems = new Problems(shownAs);
        Optional<String> text = SourceText.read(file, MAX_BYTES, problems);
        if (text.isEmpty()) {
            return new ParsedPlaybook(shownAs, Playbook.EMPTY, problems.sorted());
        }
        return parse(text.get(), problems);
    }

    public ParsedPlaybook parse(String text, String shownAs) {
        return parse(text, new Problems(shownAs));
    }

    private ParsedPlaybook parse(String text, Problems problems) {
        String[] lines = text.split("\r?\n", -1);
        List<PlaybookEntry> entries = new ArrayList<>();
        Map<String, Integer> titles = new HashMap<>();
        EntryBuilder current = null;
        boolean inFence = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int number = i + 1;
            String trimmed = line.trim();
            if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                inFence = !inFence;
                if (current != null) {
                    current.text(line, number, problems);
                }
                continue;
            }
            if (!inFence && line.startsWith("## ")) {
                if (current != null) {
                    current.finish(problems).ifPresent(entries::add);
                }
                String title = line.substring(3).trim();
                Integer earlier = titles.putIfAbsent(title, number);
                if (earlier != null) {
                    problems.error(number, 1, "duplicate entry '" + title + "' (first at line " + earlier + ")");
                }
                if (title.isEmpty()) {
                    problems.error(number, 1, "an entry heading needs a title");
                }
                current = new EntryBuilder(title, number);
                continue;
            }
            if (current == null) {
                continue;
            }
            if (!inFence && line.startsWith("### ")) {
                current.section(line.substring(4).trim(), number);
                continue;
            }
            current.text(line, number, problems);
        }
        if (current != null) {
            current.finish(problems).ifPresent(entries::add);
        }
        if (entries.isEmpty() && !problems.hasErrors()) {
            problems.error(1, 1, "no entries: each failure needs a '## Title' entry with a match: line, ### Diagnose and ### Fix");
        }
        return new ParsedPlaybook(problems.file(), new Playbook(entries), problems.sorted());
    }

    /** Collects one entry's lines. */
    private static final class EntryBuilder {
        private final String title;
        private final int line;
        private Match match;
        private boolean sawText;
        private boolean matchReported;
        private boolean matchBroken;
        private String section;
        private final StringBuilder diagnose = new StringBuilder();
        private final StringBuilder fix = new StringBuilder();
        private int diagnoseLine;
        private final java.util.List<PlaybookEntry.Action> actions = new java.util.ArrayList<>();
        private int fixLine;

        EntryBuilder(String title, int line) {
            this.title = title;
            this.line = line;
        }

        void section(String name, int number) {
            section = name.toLowerCase(Locale.ROOT);
            if (section.equals("diagnose")) {
                diagnoseLine = number;
            } else if (section.equals("fix")) {
                fixLine = number;
            }
            sawText = true;
        }

        void text(String text, int number, Problems problems) {
            if (!sawText && text.isBlank()) {
                return;
            }
            if (!sawText) {
                sawText = true;
                String trimmed = text.stripLeading();
                if (!trimmed.startsWith("match:")) {
                    problems.error(number, 1, "entry '" + title + "' must start with a 'match:' line");
                    matchReported = true;
                    return;
                }
                int offset = text.length() - trimmed.length() + "match:".length();
                MatchLineParser parser = new MatchLineParser(text.substring(offset), number, offset, problems);
                match = parser.parse();
                matchBroken = parser.broken();
                return;
            }
            if (section == null && text.stripLeading().startsWith("action:")) {
                String names = text.stripLeading().substring("action:".length());
                for (String name : names.split(",")) {
                    String n = name.strip();
                    if (!io.sluice.definition.Ids.isValid(n)) {
                        problems.error(number, 1, "entry '" + title + "': '" + n + "' is not an action name (action: NAME[, NAME])");
                    } else {
                        actions.add(new PlaybookEntry.Action(n, number));
                    }
                }
                return;
            }
            if ("diagnose".equals(section)) {
                diagnose.append(text).append('\n');
            } else if ("fix".equals(section)) {
                fix.append(text).append('\n');
            }
        }

        Optional<PlaybookEntry> finish(Problems problems) {
            if (match == null) {
                if (!matchReported) {
                    problems.error(line, 1, "entry '" + title + "' must start with a 'match:' line");
                }
                return Optional.empty();
            }
            if (diagnose.toString().isBlank()) {
                problems.error(diagnoseLine > 0 ? diagnoseLine : line, 1, "entry '" + title + "' needs a non-empty '### Diagnose' section");
            }
            if (fix.toString().isBlank()) {
                problems.error(fixLine > 0 ? fixLine : line, 1, "entry '" + title + "' needs a non-empty '### Fix' section");
            }
            if (matchBroken) {
                return Optional.empty(); // with a condition it could not read, it would match too much
            }
            if (match.isConditionFree()) {
                problems.warning(line, 1, "entry '" + title + "' has no conditions, so it matches every failure;"
                        + " name the task and kind it is for");
            }
            PlaybookEntry entry = new PlaybookEntry(title, line, match, diagnose.toString().strip(), fix.toString().strip(), actions);
            // kept even when a section is missing, so coverage is not reported twice for one mistake
            return Optional.of(entry);
        }
    }
}
