package io.sluice.cli;

import io.sluice.definition.Ids;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice recover plan|apply|show}: Sluice works out the order in which to repair failed runs
 * across pipelines; a person reads the plan and applies it, or not.
 */
final class RecoverCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    RecoverCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "recover", "Plan the repair of failed runs across pipelines, upstream first; apply a plan; show its progress.")
                .subcommand(new Plan(this).syntax())
                .subcommand(new Apply(this).syntax())
                .subcommand(new Show(this).syntax());
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        throw UserError.usage("say what to do: sluice recover plan | apply PLAN | show PLAN (see sluice recover --help)");
    }

    private static ServerClient server(Cli cli) {
        return cli.server().orElseThrow(() -> UserError.usage(
                "recover needs a running server, which runs what a plan clears (start one: sluice server" + cli.homeFlag() + ")"));
    }

    private static String checkedPlan(String id) {
        if (!id.matches("[a-z0-9]{4,64}")) {
            throw UserError.usage("'" + id + "' is not a plan id");
        }
        return id;
    }

    static final class Plan implements Callable<Integer> {
        private final RecoverCommand parent;

        CommandSpec spec;

        List<String> pipelines;

        String since;

        boolean includeDownstream;

        boolean json;

        Plan(RecoverCommand parent) {
            this.parent = parent;
        }

        /** What the command line of this command looks like (see {@link CommandSyntax}). */
        CommandSyntax syntax() {
            CommandSyntax syntax = CommandSyntax.of(this, "plan", "Every failed, timed-out or cancelled run in scope, upstream runs first; saved as a plan. Changes nothing.")
                    .repeatable("--pipeline", "P", "Only runs of this pipeline (repeatable); default: all.", v -> pipelines = v)
                    .option("--since", "D", "Only intervals starting on or after this date (YYYY-MM-DD, UTC) or instant.", v -> since = v)
                    .flag("--include-downstream", "Also re-run succeeded downstream runs, whose upstream will produce new data.", v -> includeDownstream = v)
                    .flag("--json", "Print {\"id\", \"steps\": [...], \"resumes\": [...]}.", v -> json = v);
            spec = syntax.spec();
            return syntax;
        }

        @Override
        public Integer call() {
            for (String p : pipelines) {
                if (!Ids.isValid(p)) {
                    throw UserError.usage("--pipeline '" + p + "' is not a pipeline id");
                }
            }
            try (Cli cli = new Cli(parent.root, spec)) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("pipelines", pipelines);
                if (since != null) {
                    body.put("since", since);
                }
                body.put("include_downstream", includeDownstream);
                JsonNode plan = server(cli).post("/api/v1/recover/plans", body);
                if (json) {
                    cli.printJson(plan);
                    return 0;
                }
                print(cli, plan, false);
                String id = plan.path("id").asString();
                if (plan.path("steps").isEmpty()) {
                    cli.out.println("nothing to repair in scope; nothing was changed");
                } else {
                    cli.out.println("nothing was changed; to carry out exactly this plan: sluice recover apply " + id + cli.homeFlag());
                }
                return 0;
            }
        }
    }

    static final class Apply implements Callable<Integer> {
        private final RecoverCommand parent;

        CommandSpec spec;

        String plan;

        boolean yes;

        boolean detach;

        boolean json;

        Apply(RecoverCommand parent) {
            this.parent = parent;
        }

        /** What the command line of this command looks like (see {@link CommandSyntax}). */
        CommandSyntax syntax() {
            CommandSyntax syntax = CommandSyntax.of(this, "apply", "Carry out exactly that plan, in order; refused (exit 1) if any of its runs changed since it was made.")
                    .parameter(0, "PLAN", "1", "", v -> plan = v)
                    .flag("--yes", "Do not ask.", v -> yes = v)
                    .flag("--detach", "Return once the plan is applied; do not follow its progress.", v -> detach = v)
                    .flag("--json", "Print the plan with its progress as JSON when done (needs --yes).", v -> json = v);
            spec = syntax.spec();
            return syntax;
        }

        @Override
        public Integer call() {
            String id = checkedPlan(plan);
            if (json && !yes) {
                throw UserError.usage("--json prints the outcome: add --yes");
            }
            try (Cli cli = new Cli(parent.root, spec)) {
                ServerClient server = server(cli);
                JsonNode shown = server.get("/api/v1/recover/plans/" + id);
                if (!json) {
                    print(cli, shown, false);
                }
                if (!yes && !Confirm.ask(cli, "Apply plan " + id + "?")) {
                    cli.out.println("nothing was changed");
                    return 0;
                }
                JsonNode applied = server.post("/api/v1/recover/plans/" + id + "/apply", Map.of());
                if (!json) {
                    cli.out.println("plan " + id + " applied: its runs are cleared in order as the server has room");
                }
                if (detach) {
                    if (json) {
                        cli.printJson(applied);
                    } else {
                        cli.out.println("  follow: sluice recover show " + id + cli.homeFlag());
                    }
                    return 0;
                }
                JsonNode last = follow(cli, server, id, applied, !json);
                if (json) {
                    cli.printJson(last);
                }
                return allSucceeded(last) ? 0 : UserError.BAD;
            }
        }

        /** Prints each step's progress as it changes, until no step is pending, queued or running. */
        private static JsonNode follow(Cli cli, ServerClient server, String id, JsonNode plan, boolean print) {
            Map<Integer, String> seen = new HashMap<>();
            JsonNode now = plan;
            while (true) {
                for (JsonNode s : now.path("steps")) {
                    int pos = s.path("position").asInt();
                    String progress = s.path("progress").asString();
                    if (!progress.equals(seen.put(pos, progress)) && print) {
                        cli.out.println(String.format("%s  step %d  %-20s %-24s %s%s", java.time.LocalTime.now().withNano(0), pos,
                                s.path("pipeline").asString(), s.path("logical_date").asString(), progress,
                                s.hasNonNull("note") ? ": " + s.path("note").asString()
                                        : s.hasNonNull("reason") && Set.of("failed", "timed_out", "cancelled", "waiting").contains(progress)
                                        ? ": " + s.path("reason").asString() : ""));
                        cli.out.flush();
                    }
                }
                if (settled(now)) {
                    break;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                now = server.get("/api/v1/recover/plans/" + id);
            }
            if (print) {
                cli.out.println("plan " + id + ": " + summary(now) + (allSucceeded(now) ? "" : "; sluice recover show " + id + " for details"));
            }
            return now;
        }

        private static boolean settled(JsonNode plan) {
            for (JsonNode s : plan.path("steps")) {
                if (Set.of("pending", "queued", "running").contains(s.path("progress").asString())) {
                    return false;
                }
            }
            return true;
        }

        private static boolean allSucceeded(JsonNode plan) {
            for (JsonNode s : plan.path("steps")) {
                if (!s.path("progress").asString().equals("succeeded")) {
                    return false;
                }
            }
            return true;
        }
    }

    static final class Show implements Callable<Integer> {
        private final RecoverCommand parent;

        CommandSpec spec;

        String plan;

        boolean json;

        Show(RecoverCommand parent) {
            this.parent = parent;
        }

        /** What the command line of this command looks like (see {@link CommandSyntax}). */
        CommandSyntax syntax() {
            CommandSyntax syntax = CommandSyntax.of(this, "show", "Show a plan and how far it got.")
                    .parameter(0, "PLAN", "1", "", v -> plan = v)
                    .flag("--json", "Print the plan with each step's progress as JSON.", v -> json = v);
            spec = syntax.spec();
            return syntax;
        }

        @Override
        public Integer call() {
            String id = checkedPlan(plan);
            try (Cli cli = new Cli(parent.root, spec)) {
                JsonNode shown = server(cli).get("/api/v1/recover/plans/" + id);
                if (json) {
                    cli.printJson(shown);
                    return 0;
                }
                print(cli, shown, true);
                return 0;
            }
        }
    }

    static String summary(JsonNode plan) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        plan.path("progress").properties().forEach(e -> counts.put(e.getKey(), e.getValue().asInt()));
        List<String> parts = new ArrayList<>();
        counts.forEach((k, v) -> parts.add(v + " " + k.replace('_', ' ')));
        return parts.isEmpty() ? "no steps" : String.join(", ", parts);
    }

    /** The plan as a person reads it: its steps in order, then the runs that will resume by themselves. */
    static void print(Cli cli, JsonNode plan, boolean withProgress) {
        String id = plan.path("id").asString();
        cli.out.println("plan " + id);
        cli.out.println("  made " + plan.path("created_at").asString() + " by " + plan.path("created_by").asString()
                + (plan.hasNonNull("applied_at") ? "; applied " + plan.path("applied_at").asString() + " by " + plan.path("applied_by").asString()
                : "; not applied"));
        JsonNode steps = plan.path("steps");
        if (!steps.isEmpty()) {
            cli.out.println(String.format("  %-4s %-20s %-24s %-6s %-13s %s", "STEP", "PIPELINE", "DATE", "ACTION", "RUN",
                    withProgress ? "PROGRESS" : "WHY"));
        }
        for (JsonNode s : steps) {
            String last = withProgress
                    ? s.path("progress").asString() + (s.hasNonNull("note") ? ": " + s.path("note").asString() : "")
                    : s.path("why").asString() + (s.path("changed_since_plan").asBoolean(false) ? "  (changed since this plan was made)" : "");
            cli.out.println(String.format("  %-4d %-20s %-24s %-6s %-13s %s", s.path("position").asInt(), s.path("pipeline").asString(),
                    s.path("logical_date").asString(), s.path("action").asString(), s.path("run").asString(), last));
        }
        JsonNode resumes = plan.path("resumes");
        if (!resumes.isEmpty()) {
            cli.out.println("  resume by themselves once their upstream has succeeded:");
            for (JsonNode r : resumes) {
                cli.out.println(String.format("       %-20s %-24s %-6s %-13s %s", r.path("pipeline").asString(), r.path("logical_date").asString(),
                        "wait", r.path("run").asString(), "waiting (" + r.path("reason").asString() + ")"));
            }
        }
        if (withProgress && plan.hasNonNull("applied_at")) {
            cli.out.println("  progress: " + summary(plan));
        }
    }
}
