package io.sluice.source;

import io.sluice.problem.Problems;
import io.sluice.yaml.Position;
import io.sluice.yaml.TextPositions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a file a user wrote as text, refusing early what no parser should see: files over a size
 * limit (checked before reading), bytes that are not UTF-8, and binary content.
 */
public final class SourceText {
    private SourceText() {
    }

    /** The text of {@code file}, or empty with a problem recorded. */
    public static Optional<String> read(Path file, long maxBytes, Problems problems) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
                problems.error(1, 1, "not a regular file");
                return Optional.empty();
            }
            long size = Files.size(file);
            if (size > maxBytes) {
                problems.error(1, 1, "file is " + size + " bytes; the limit is " + maxBytes + " bytes");
                return Optional.empty();
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                // read at most one byte past the limit: the file may have grown since size() was asked
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            }
            if (bytes.length > maxBytes) {
                problems.error(1, 1, "file is larger than the limit of " + maxBytes + " bytes");
                return Optional.empty();
            }
            return decode(bytes, problems);
        } catch (NoSuchFileException e) {
            problems.error(1, 1, "no such file");
            return Optional.empty();
        } catch (IOException e) {
            problems.error(1, 1, "cannot read: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Decodes strict UTF-8 and refuses NUL and other control characters that text never has. */
    public static Optional<String> decode(byte[] bytes, Problems problems) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int good = validPrefixLength(bytes);
            String prefix = new String(bytes, 0, good, StandardCharsets.UTF_8);
            Position at = TextPositions.ofCharIndex(prefix, prefix.length());
            problems.error(at.line(), at.column(), "not UTF-8 text (a binary file?)");
            return Optional.empty();
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                Position at = TextPositions.ofCharIndex(text, i);
                problems.error(at.line(), at.column(),
                        "not a text file: control character 0x" + Integer.toHexString(c) + " (a binary file?)");
                return Optional.empty();
            }
        }
        return Optional.of(text);
    }

    private static int validPrefixLength(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }
}
