package io.sluice.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The cluster Sluice talks to, configured as kubectl is: {@code $KUBECONFIG}, then
 * {@code ~/.kube/config}, then the service account of the pod Sluice runs in. One client per
 * Sluice process, made on first use, so that commands that never touch Kubernetes never load it.
 */
public final class Clusters {
    private static KubernetesClient client;

    private Clusters() {
    }

    public static synchronized KubernetesClient client() {
        if (client == null) {
            // a few quick retries: an API server that does not answer should fail a task in seconds, not minutes
            Config config = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(3).build();
            client = new KubernetesClientBuilder().withConfig(config).build();
        }
        return client;
    }

    /** Whether any cluster is configured for this process; {@code sluice cleanup} looks at a cluster only then. */
    public static boolean configured(Map<String, String> environment) {
        String kubeconfig = environment.get("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            // a list, as kubectl takes it; it counts when one of its files exists
            for (String file : kubeconfig.split(java.io.File.pathSeparator)) {
                if (!file.isBlank() && Files.isRegularFile(Path.of(file))) {
                    return true;
                }
            }
        }
        if (environment.containsKey("KUBERNETES_SERVICE_HOST")) {
            return true;
        }
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        return home != null && Files.isRegularFile(Path.of(home, ".kube", "config"));
    }

    /** The API server's address, for messages. */
    static String describe(KubernetesClient client) {
        return client.getConfiguration().getMasterUrl();
    }

    /** What the API server said, in one line: its status message when it sent one. */
    static String reason(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null && !e.getStatus().getMessage().isBlank()) {
            return e.getStatus().getMessage();
        }
        // the client's own message names the operation; the deepest cause says what went wrong (a host not found, refused)
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root == e ? String.valueOf(e.getMessage())
                : root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return message.lines().findFirst().orElse(message).trim();
    }
}
