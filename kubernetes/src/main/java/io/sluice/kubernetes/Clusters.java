package io.sluice.kubernetes;

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
            client = new KubernetesClientBuilder().build();
        }
        return client;
    }

    /** Whether any cluster is configured for this process; {@code sluice cleanup} looks at a cluster only then. */
    public static boolean configured(Map<String, String> environment) {
        String kubeconfig = environment.get("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            return true;
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
        String message = e.getCause() != null && e.getCode() == 0 ? String.valueOf(e.getCause().getMessage()) : String.valueOf(e.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}
