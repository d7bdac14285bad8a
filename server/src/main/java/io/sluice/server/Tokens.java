package io.sluice.server;

import io.sluice.store.ServerStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * API tokens: random, shown once, stored only as their SHA-256. At first start the server creates
 * an admin token and writes it to {@code HOME/credentials}, readable by its owner only.
 */
public final class Tokens {
    public static final String CREDENTIALS = "credentials";
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ServerStore store;

    public Tokens(ServerStore store) {
        this.store = store;
    }

    /** Creates a token; empty when the name is taken. */
    public Optional<String> create(String name, Role role, String by) {
        String token = newToken();
        return store.addToken(name, role.wireName(), hash(token), by) ? Optional.of(token) : Optional.empty();
    }

    /** The name and role of a token, if it is one. */
    public Optional<ServerStore.Token> check(String token) {
        if (token == null || token.length() > 200) {
            return Optional.empty();
        }
        return store.tokenByHash(hash(token));
    }

    /** At first start: an admin token, written to HOME/credentials with mode 0600. */
    public void ensureAdmin(Path home) throws IOException {
        Path file = home.resolve(CREDENTIALS);
        if (store.tokens().stream().anyMatch(t -> t.role().equals(Role.ADMIN.wireName())) && Files.exists(file)) {
            return;
        }
        String name = store.tokens().stream().anyMatch(t -> t.name().equals("admin")) ? "admin-" + newToken().substring(4, 10) : "admin";
        // another server on the same database may take the name at the same moment: then another one
        String token = create(name, Role.ADMIN, "sluice server")
                .or(() -> create("admin-" + newToken().substring(4, 10), Role.ADMIN, "sluice server")).orElseThrow();
        Path tmp = home.resolve(CREDENTIALS + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, "# The admin token of this Sluice home, created at the server's first start. Keep it secret.\n"
                + "# CLI commands on this machine read it from here; elsewhere set SLUICE_TOKEN.\n"
                + "token=" + token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The token in HOME/credentials, if it can be read. */
    public static Optional<String> fromCredentials(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve(CREDENTIALS), StandardCharsets.UTF_8)) {
                if (line.startsWith("token=")) {
                    return Optional.of(line.substring("token=".length()).trim());
                }
            }
        } catch (IOException e) {
            // no credentials here
        }
        return Optional.empty();
    }

    static String newToken() {
        char[] t = new char[36];
        for (int i = 0; i < t.length; i++) {
            t[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "slc_" + new String(t);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
