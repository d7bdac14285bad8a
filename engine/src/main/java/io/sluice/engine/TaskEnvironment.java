package io.sluice.engine;

import io.sluice.definition.Pipeline;
import io.sluice.schedule.Interval;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The environment of a task (SPEC §3): Sluice's own environment without secrets or tokens, the
 * pipeline's env and secrets, what setup appended to $SLUICE_ENV, and the SLUICE_* variables.
 * Later layers win, so no pipeline can fake SLUICE_RUN_ID. Values only ever reach a command as
 * environment variables, never as command text.
 */
final class TaskEnvironment {
    private final Map<String, String> base;

    TaskEnvironment(Map<String, String> processEnvironment, Pipeline pipeline, Map<String, String> extraEnv, List<String> warnings) {
        this(processEnvironment, true, pipeline, extraEnv, warnings);
    }

    /**
     * The environment of tasks that run in a pod: Sluice's own environment (PATH, HOME, ...) means
     * nothing inside an image, so only the pipeline's variables, secrets and Sluice's are set.
     */
    static TaskEnvironment forPods(Map<String, String> processEnvironment, Pipeline pipeline, Map<String, String> extraEnv) {
        return new TaskEnvironment(processEnvironment, false, pipeline, extraEnv, new java.util.ArrayList<>());
    }

    private TaskEnvironment(Map<String, String> processEnvironment, boolean inherit, Pipeline pipeline, Map<String, String> extraEnv,
                            List<String> warnings) {
        Map<String, String> env = new LinkedHashMap<>();
        processEnvironment.forEach((k, v) -> {
            if (inherit && !isPrivate(k)) {
                env.put(k, v);
            }
        });
        env.putAll(pipeline.env());
        for (String secret : pipeline.secrets()) {
            String value = processEnvironment.get("SLUICE_SECRET_" + secret);
            if (value == null) {
                warnings.add("secret " + secret + " has no value (set SLUICE_SECRET_" + secret + " for this command); tasks run without it");
            } else {
                env.put(secret, value);
            }
        }
        env.putAll(extraEnv);
        this.base = env;
    }

    /** Variables that must never reach a task: other secrets, API tokens, and a parent run's markers. */
    static boolean isPrivate(String name) {
        return name.startsWith("SLUICE_SECRET_") || name.equals("SLUICE_TOKEN") || name.equals("SLUICE_API_TOKEN")
                || name.equals("SLUICE_SANDBOX") || name.equals("SLUICE_ENV");
    }

    /** The variables of one process of the run. */
    Map<String, String> forProcess(RunContext run, String taskName, int attempt, Map<String, String> setupEnv) {
        Map<String, String> env = new LinkedHashMap<>(shared(run, setupEnv));
        env.put("SLUICE_TASK", taskName);
        env.put("SLUICE_ATTEMPT", Integer.toString(attempt));
        return env;
    }

    private RunContext sharedRun;
    private Map<String, String> sharedSetup;
    private Map<String, String> shared;

    /** What every process of the run gets but its task and attempt: made again only when setup's variables change. */
    private synchronized Map<String, String> shared(RunContext run, Map<String, String> setupEnv) {
        if (run != sharedRun || setupEnv != sharedSetup) {
            Map<String, String> env = new LinkedHashMap<>(base);
            env.putAll(setupEnv);
            env.put("SLUICE_PIPELINE", run.pipeline());
            env.put("SLUICE_RUN_ID", run.runId());
            env.put("SLUICE_TASK", ""); // set per process, here only to keep the variables' order
            env.put("SLUICE_ATTEMPT", "");
            env.put("SLUICE_LOGICAL_DATE", run.logicalDate());
            env.put("SLUICE_INTERVAL_START", run.interval().start().toString());
            env.put("SLUICE_INTERVAL_END", run.interval().end().toString());
            env.put("SLUICE_WORKSPACE", run.workspace().toString());
            env.put("TMPDIR", run.tmpDir().toString());
            run.params().forEach((k, v) -> env.put("SLUICE_PARAM_" + k.toUpperCase(Locale.ROOT), v));
            shared = env;
            sharedRun = run;
            sharedSetup = setupEnv;
        }
        return shared;
    }

    /** What a run's processes share. */
    record RunContext(String pipeline, String runId, String logicalDate, Interval interval, Path workspace, Path tmpDir,
                      Map<String, String> params) {
    }
}
