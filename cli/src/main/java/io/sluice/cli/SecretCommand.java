package io.sluice.cli;

import io.sluice.definition.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice secret set NAME} (the value from stdin, never from the command line, where {@code ps}
 * and shell history would keep it) and {@code sluice secret list} (names only).
 */
final class SecretCommand {
    static final int MAX_BYTES = 64 * 1024;

    private final Sluice root;

    SecretCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "secret", "Store secrets for pipelines (a pipeline lists the names it may read under secrets:).")
                .subcommand(new Set(this).syntax())
                .subcommand(new ListSecrets(this).syntax());
        return syntax;
    }

    static final class Set implements Callable<Integer> {
        private final SecretCommand parent;

        CommandSpec spec;

        String name;

        Set(SecretCommand parent) {
            this.parent = parent;
        }

        /** What the command line of this command looks like (see {@link CommandSyntax}). */
        CommandSyntax syntax() {
            CommandSyntax syntax = CommandSyntax.of(this, "set", "Store a secret; its value is read from stdin" + " (one trailing newline is dropped). Tasks of pipelines that list NAME under secrets: see it as $NAME.")
                    .parameter(0, "NAME", "1", "Letters, digits and _, not starting with a digit.", v -> name = v);
            spec = syntax.spec();
            return syntax;
        }

        @Override
        public Integer call() throws IOException {
            if (!Ids.isEnvName(name)) {
                throw UserError.usage("'" + name + "' is not a secret name: letters, digits and _, not starting with a digit");
            }
            String value = read();
            try (Cli cli = new Cli(parent.root, spec)) {
                if (cli.server().isPresent()) {
                    cli.server().get().put("/api/v1/secrets/" + name, value);
                } else {
                    cli.serverStore().setSecret(name, value, Cli.who());
                    cli.gate().audit(Cli.who(), "secret", name, "set", null);
                }
                cli.out.println("secret " + name + " set; tasks of pipelines that list it under secrets: see it as $" + name);
                return 0;
            }
        }

        private static String read() throws IOException {
            if (System.console() != null && Confirm.stdinIsTerminal()) {
                char[] typed = System.console().readPassword("value (not echoed): ");
                if (typed == null || typed.length == 0) {
                    throw UserError.usage("no value given");
                }
                return new String(typed);
            }
            InputStream in = System.in;
            byte[] bytes = in.readNBytes(MAX_BYTES + 2);
            String value = new String(bytes, StandardCharsets.UTF_8);
            if (value.endsWith("\n")) {
                value = value.substring(0, value.length() - 1);
            }
            if (value.isEmpty()) {
                throw UserError.usage("no value on stdin (echo -n VALUE | sluice secret set NAME)");
            }
            if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES || value.indexOf('\0') >= 0) {
                throw UserError.usage("a secret is at most 64 KiB of text without NUL characters");
            }
            return value;
        }
    }

    static final class ListSecrets implements Callable<Integer> {
        private final SecretCommand parent;

        CommandSpec spec;

        boolean json;

        ListSecrets(SecretCommand parent) {
            this.parent = parent;
        }

        /** What the command line of this command looks like (see {@link CommandSyntax}). */
        CommandSyntax syntax() {
            CommandSyntax syntax = CommandSyntax.of(this, "list", "List the secrets' names, when and by whom each was set (never the values).")
                    .flag("--json", "Print {\"secrets\": [{\"name\", \"updated_at\", \"updated_by\"}]}.", v -> json = v);
            spec = syntax.spec();
            return syntax;
        }

        @Override
        public Integer call() {
            try (Cli cli = new Cli(parent.root, spec)) {
                JsonNode secrets = cli.server().isPresent() ? cli.server().get().get("/api/v1/secrets").path("secrets")
                        : Cli.tree(cli.serverStore().secretNames());
                if (json) {
                    cli.printJson(Map.of("secrets", secrets));
                    return 0;
                }
                if (secrets.isEmpty()) {
                    cli.out.println("no secrets");
                }
                for (JsonNode s : secrets) {
                    cli.out.printf("%-32s  set %s by %s%n", s.path("name").asString(), s.path("updated_at").asString(), s.path("updated_by").asString());
                }
                return 0;
            }
        }
    }
}
