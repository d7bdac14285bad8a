package io.sluice.playbook;

import java.util.Optional;
import java.util.regex.Matcher;

/** Finds the playbook entry for a failure: the most specific match, ties by order in the file (SPEC §5). */
public final class PlaybookMatcher {
    /** A regex that takes longer than this many character reads on a 64 KiB tail is treated as not matching. */
    static final long REGEX_BUDGET = 50_000_000L;

    private PlaybookMatcher() {
    }

    public static Optional<PlaybookEntry> match(Playbook playbook, Failure failure) {
        PlaybookEntry best = null;
        for (PlaybookEntry entry : playbook.entries()) {
            if (matches(entry.match(), failure) && (best == null || entry.match().specificity() > best.match().specificity())) {
                best = entry;
            }
        }
        return Optional.ofNullable(best);
    }

    public static boolean matches(Match match, Failure failure) {
        if (!match.admitsTask(failure.task()) || !match.admitsKind(failure.kind())) {
            return false;
        }
        if (match.exit().isPresent() && !match.exit().equals(failure.exitCode())) {
            return false;
        }
        if (match.log().isPresent()) {
            Matcher m = match.log().get().matcher(new BoundedText(failure.logTail(), REGEX_BUDGET));
            try {
                return m.find();
            } catch (BoundedText.BudgetExceeded | StackOverflowError e) {
                // a pattern such as (.|\n)* recurses once per character in java.util.regex: treat a
                // pattern that cannot finish as not matching, as one that runs too long
                return false;
            }
        }
        return true;
    }

    /**
     * Text that stops a regex after a budget of character reads: a pathological {@code log=}
     * pattern (catastrophic backtracking) must not hang {@code why}, an alert or the server.
     */
    static final class BoundedText implements CharSequence {
        private final String text;
        private final long[] budget;

        BoundedText(String text, long budget) {
            this(text, new long[] {budget});
        }

        private BoundedText(String text, long[] budget) {
            this.text = text;
            this.budget = budget;
        }

        @Override
        public char charAt(int index) {
            if (--budget[0] < 0) {
                throw new BudgetExceeded();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BoundedText(text.substring(start, end), budget);
        }

        @Override
        public String toString() {
            return text;
        }

        static final class BudgetExceeded extends RuntimeException {
            BudgetExceeded() {
                super(null, null, false, false);
            }
        }
    }
}
