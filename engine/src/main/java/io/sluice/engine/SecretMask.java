package io.sluice.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/** Replaces secret values in a finished log with ***. */
final class SecretMask {
    private static final long MAX_BYTES = 256L * 1024 * 1024;

    private SecretMask() {
    }

    static void apply(Path log, Collection<String> secrets) {
        if (secrets.isEmpty()) {
            return;
        }
        try {
            if (!Files.exists(log) || Files.size(log) > MAX_BYTES) {
                return;
            }
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            String masked = text;
            for (String secret : secrets) {
                if (!secret.isEmpty()) {
                    masked = masked.replace(new String(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1), "***");
                }
            }
            if (!masked.equals(text)) {
                Path tmp = log.resolveSibling(log.getFileName() + ".masking");
                Files.writeString(tmp, masked, StandardCharsets.ISO_8859_1);
                Files.move(tmp, log, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            // leave the log as it is rather than lose it
        }
    }
}
