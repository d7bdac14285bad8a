package io.sluice.cli;

import io.sluice.server.Role;
import io.sluice.server.Tokens;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code sluice token create NAME --role ROLE} and {@code sluice token list}: API tokens. */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Create and list API tokens (the token itself is printed once, at creation; Sluice keeps only its hash).",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class})
final class TokenCommand {
    @ParentCommand
    Sluice root;

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token with a role: viewer reads; operator also runs,"
            + " cancels and recovers; admin also deploys and manages tokens and secrets.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        TokenCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "Who or what uses it (letters, digits, _.@-).")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, operator or admin.")
        String role;

        @Option(names = "--json", description = "Print {\"name\", \"role\", \"token\"}.")
        boolean json;

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
                    cli.printJson(Map.of("name", name, "role", r.wireName(), "token", token));
                } else {
                    cli.err.println("token '" + name + "' (" + r.wireName() + ") created; it is shown only now:");
                    cli.out.println(token);
                }
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tokens' names and roles (never the tokens).")
    static final class ListTokens implements Callable<Integer> {
        @ParentCommand
        TokenCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print {\"tokens\": [{\"name\", \"role\"}]}.")
        boolean json;

        @Override
        public Integer call() {
            try (Cli cli = new Cli(parent.root, spec)) {
                JsonNode tokens = cli.server().isPresent() ? cli.server().get().get("/api/v1/tokens").path("tokens")
                        : Cli.tree(cli.serverStore().tokens().stream().map(t -> Map.of("name", t.name(), "role", t.role())).toList());
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
