package io.sluice.engine;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * Run ids: 12 characters of lowercase base32, time first, so they sort by creation and a short
 * prefix is usually enough to name a run.
 */
public final class RunIds {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    public static String next(Instant now) {
        char[] id = new char[12];
        long millis = now.toEpochMilli();
        for (int i = 7; i >= 0; i--) {
            id[i] = ALPHABET[(int) (millis & 31)];
            millis >>>= 5;
        }
        for (int i = 8; i < 12; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(32)];
        }
        return new String(id);
    }
}
