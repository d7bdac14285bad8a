package io.sluice.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** How Sluice names and labels what it creates on a cluster, so that it can find it again after a crash. */
final class Labels {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String SLUICE = "sluice";
    static final String RUN = "sluice.io/run";
    static final String PIPELINE = "sluice.io/pipeline";
    static final String TASK = "sluice.io/task";
    static final String ATTEMPT = "sluice.io/attempt";

    private Labels() {
    }

    /** A run's namespace: run ids are 12 lowercase base32 characters, which a namespace name takes as they are. */
    static String namespaceOf(String runId) {
        return "sluice-" + runId;
    }

    static Map<String, String> ofRun(String pipeline, String runId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, SLUICE);
        labels.put(PIPELINE, pipeline);
        labels.put(RUN, runId);
        return labels;
    }

    static Map<String, String> ofAttempt(String pipeline, String runId, String task, int attempt) {
        Map<String, String> labels = ofRun(pipeline, runId);
        labels.put(TASK, task);
        labels.put(ATTEMPT, Integer.toString(attempt));
        return labels;
    }

    /**
     * A Job's name: task ids may hold underscores, which object names may not; a name too long for
     * a label value (Kubernetes labels each pod with its Job's name) is shortened with a hash.
     */
    static String jobName(String task, int attempt) {
        String name = task.replace('_', '-') + "-" + attempt;
        if (name.length() <= 63) {
            return name;
        }
        String hash = sha256(task).substring(0, 8);
        String suffix = "-" + hash + "-" + attempt;
        return task.replace('_', '-').substring(0, 63 - suffix.length()) + suffix;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
