package io.sluice.engine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Reads the end of a log, for playbook matching and error excerpts. */
public final class LogTail {
    private LogTail() {
    }

    /** The last {@code maxBytes} of the file as text (empty when it cannot be read). */
    public static String read(Path file, int maxBytes) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long start = Math.max(0, length - maxBytes);
            byte[] bytes = new byte[(int) (length - start)];
            f.seek(start);
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            // a cut in the middle of a line or a multi-byte character: start at the next line
            if (start > 0) {
                int newline = text.indexOf('\n');
                text = newline >= 0 ? text.substring(newline + 1) : text;
            }
            return text;
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@code lines} non-empty lines, for a short excerpt. */
    public static String lastLines(Path file, int lines) {
        String text = read(file, 16 * 1024);
        String[] all = text.split("\n");
        StringBuilder b = new StringBuilder();
        int from = Math.max(0, all.length - lines);
        for (int i = from; i < all.length; i++) {
            b.append(all[i]).append('\n');
        }
        return b.toString().stripTrailing();
    }
}
