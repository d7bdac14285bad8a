package io.sluice.kubernetes;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/** The namespaces Sluice made for runs on a cluster, found by their labels: what {@code sluice cleanup} looks at. */
public final class RunNamespaces {
    private final KubernetesClient client;

    public RunNamespaces(KubernetesClient client) {
        this.client = client;
    }

    /** A run's namespace that is not being deleted already. */
    public record RunNamespace(String name, String runId, String pipeline) {
    }

    public List<RunNamespace> list() {
        try {
            List<RunNamespace> found = new ArrayList<>();
            for (Namespace ns : client.namespaces().withLabel(Labels.MANAGED_BY, Labels.SLUICE).list().getItems()) {
                var labels = ns.getMetadata().getLabels();
                boolean terminating = ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase());
                if (labels.get(Labels.RUN) != null && !terminating) {
                    found.add(new RunNamespace(ns.getMetadata().getName(), labels.get(Labels.RUN), labels.getOrDefault(Labels.PIPELINE, "?")));
                }
            }
            return found;
        } catch (KubernetesClientException e) {
            throw new KubernetesException("cannot list Sluice's namespaces on " + Clusters.describe(client) + ": " + Clusters.reason(e), e);
        }
    }

    public void delete(String namespace) {
        try {
            client.namespaces().withName(namespace).delete();
        } catch (KubernetesClientException e) {
            throw new KubernetesException("cannot delete namespace " + namespace + ": " + Clusters.reason(e), e);
        }
    }

    public static RunNamespaces ofConfiguredCluster() {
        return new RunNamespaces(Clusters.client());
    }
}
