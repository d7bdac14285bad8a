package io.sluice.yaml;

/** Turns offsets in a text into line and column positions. */
public final class TextPositions {
    private TextPositions() {
    }

    /** The position of the code point at {@code index} (counted in code points, as snakeyaml does). */
    public static Position ofCodePointIndex(String text, int index) {
        int line = 1;
        int column = 1;
        int seen = 0;
        for (int i = 0; i < text.length() && seen < index; seen++) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new Position(line, column);
    }

    /** The position of the char at {@code index}. */
    public static Position ofCharIndex(String text, int index) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < index && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new Position(line, index - lineStart + 1);
    }
}
