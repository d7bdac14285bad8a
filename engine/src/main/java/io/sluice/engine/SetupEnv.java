package io.sluice.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads the KEY=VALUE lines setup appended to $SLUICE_ENV. */
final class SetupEnv {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final long MAX_BYTES = 1024 * 1024;

    private SetupEnv() {
    }

    static Map<String, String> read(Path file, List<String> warnings) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            if (!Files.exists(file)) {
                return env;
            }
            if (Files.size(file) > MAX_BYTES) {
                warnings.add("$SLUICE_ENV is larger than 1 MiB; ignored");
                return env;
            }
            int number = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf('=');
                String key = eq < 0 ? line : line.substring(0, eq).trim();
                if (eq < 0 || !KEY.matcher(key).matches() || TaskEnvironment.isPrivate(key) || key.startsWith("SLUICE_")) {
                    warnings.add("$SLUICE_ENV line " + number + " ignored: expected KEY=VALUE with a KEY of letters, digits"
                            + " and _ (not SLUICE_...)");
                    continue;
                }
                env.put(key, line.substring(eq + 1));
            }
        } catch (IOException e) {
            warnings.add("cannot read $SLUICE_ENV: " + e.getMessage());
        }
        return env;
    }
}
