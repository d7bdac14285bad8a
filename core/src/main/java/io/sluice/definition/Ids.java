package io.sluice.definition;

import java.util.regex.Pattern;

/** The identifier rule for pipelines, tasks and actions: {@code [a-z][a-z0-9_]{0,62}}. */
public final class Ids {
    public static final String RULE = "a lowercase letter, then up to 62 lowercase letters, digits or _";
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private Ids() {
    }

    public static boolean isValid(String id) {
        return ID.matcher(id).matches();
    }

    /** Names that can become environment variables (params, env, secrets). */
    public static boolean isEnvName(String name) {
        return ENV_NAME.matcher(name).matches();
    }
}
