package io.sluice.cli;

import io.sluice.server.RunJson;
import io.sluice.server.Role;
import io.sluice.server.Tokens;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/** {@code sluice token create NAME --role ROLE} and {@code sluice token list}: API tokens. */
final class TokenCommand {
    private final Sluice root;

    TokenCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "token", "Create and list API tokens (the token itself is printed once, at creation; Sluice keeps only its hash).")
                .subcommand(new Create(this).syntax())
                .subcommand(new ListTokens(this).syntax());
        return syntax;
    }

    static final class Create implements Callable<Integer> {
        private final TokenCommand parent;

        CommandSpec spec;

        String name;

        String role;

        boolean json;

        Create(TokenCommand parent) {
            this.parent = parent;
        }

        /** What the command line of this command looks like (see {@link CommandSyntax}). */
        CommandSyntax syntax() {
            CommandSyntax syntax = CommandSyntax.of(this, "create", "Create a token with a role: viewer reads; operator also runs," + " cancels and recovers; admin also deploys and manages tokens and secrets.")
                    .parameter(0, "NAME", "1", "Who or what uses it (letters, digits, _.@-).", v -> name = v)
                    .requiredOption("--role", "ROLE", "viewer, operator or admin.", v -> role = v)
                    .flag("--json", "Print {\"name\", \"role\", \"token\"}.", v -> json = v);
            spec = syntax.spec();
            return syntax;
        }

        @Override
        public Integer call() {
            Role r = Role.fromWireName(role).orElseThrow(() -> UserError.usage("--role must be viewer, operator or admin"));
            if (!name.matches("[A-Za-z0-9_.@-]{1,64}")) {
                throw UserError.usage("a token name is 1 to 64 letters, digits or _.@-");
            }
            try (Cli cli = new Cli(parent.root, spec)) {
                String token;
                if (cli.server().isPresent()) {
                    token = cli.server().get().post("/api/v1/tokens", Map.of("name", name, "role", r.wireName())).path("token").asString();
                } else {
                    token = new Tokens(cli.serverStore()).create(name, r, Cli.who())
                            .orElseThrow(() -> new UserError(UserError.BAD, "a token named '" + name + "' exists"));
                    cli.gate().audit(Cli.who(), "token", name, "created (" + r.wireName() + ")", null);
                }
                if (json) {
                    cli.printJson(RunJson.object("name", name, "role", r.wireName(), "token", token));
                } else {
                    cli.err.println("token '" + name + "' (" + r.wireName() + ") created; it is shown only now:");
                    cli.out.println(token);
                }
                return 0;
            }
        }
    }

    static final class ListTokens implements Callable<Integer> {
        private final TokenCommand parent;

        CommandSpec spec;

        boolean json;

        ListTokens(TokenCommand parent) {
            this.parent = parent;
        }

        /** What the command line of this command looks like (see {@link CommandSyntax}). */
        CommandSyntax syntax() {
            CommandSyntax syntax = CommandSyntax.of(this, "list", "List the tokens' names and roles (never the tokens).")
                    .flag("--json", "Print {\"tokens\": [{\"name\", \"role\"}]}.", v -> json = v);
            spec = syntax.spec();
            return syntax;
        }

        @Override
        public Integer call() {
            try (Cli cli = new Cli(parent.root, spec)) {
                JsonNode tokens = cli.server().isPresent() ? cli.server().get().get("/api/v1/tokens").path("tokens")
                        : Cli.tree(cli.serverStore().tokens().stream().map(t -> RunJson.object("name", t.name(), "role", t.role())).toList());
                if (json) {
                    cli.printJson(Map.of("tokens", tokens));
                    return 0;
                }
                for (JsonNode t : tokens) {
                    cli.out.printf("%-32s  %s%n", t.path("name").asString(), t.path("role").asString());
                }
                return 0;
            }
        }
    }

}
