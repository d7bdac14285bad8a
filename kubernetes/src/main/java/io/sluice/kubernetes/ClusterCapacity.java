package io.sluice.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sluice.definition.Resources;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster has free, asked of the API server: each schedulable, ready node's allocatable
 * CPU and memory, less the requests of the pods placed on it that have not ended; pods not placed
 * yet are taken from the total. A task fits when one node has room for it and the total does too.
 */
public final class ClusterCapacity {
    private final KubernetesClient client;

    public ClusterCapacity(KubernetesClient client) {
        this.client = client;
    }

    /** The room on each node and what waits to be placed, as the API server sees it now. */
    public record Snapshot(Map<String, Resources> freeByNode, Resources unplaced) {
        /** Whether {@code need} fits, after {@code reserved} (started by Sluice, not yet visible as pods). */
        public boolean fits(Resources need, Resources reserved) {
            boolean someNode = freeByNode.values().stream().anyMatch(need::fitsIn);
            long cpu = freeByNode.values().stream().mapToLong(Resources::milliCpus).sum() - unplaced.milliCpus() - reserved.milliCpus();
            long memory = freeByNode.values().stream().mapToLong(Resources::memoryBytes).sum() - unplaced.memoryBytes() - reserved.memoryBytes();
            return someNode && need.milliCpus() <= cpu && need.memoryBytes() <= memory;
        }

        /** The largest room on one node, for messages. */
        public Optional<Resources> largest() {
            return freeByNode.values().stream().max(java.util.Comparator.comparingLong(Resources::milliCpus));
        }
    }

    public Snapshot snapshot() {
        try {
            Map<String, long[]> free = new HashMap<>();
            for (Node node : client.nodes().list().getItems()) {
                if (schedulable(node)) {
                    Map<String, io.fabric8.kubernetes.api.model.Quantity> allocatable = node.getStatus().getAllocatable();
                    free.put(node.getMetadata().getName(), new long[] {Quantities.milliCpus(allocatable.get("cpu")),
                            Quantities.bytes(allocatable.get("memory"))});
                }
            }
            List<long[]> pending = new java.util.ArrayList<>();
            for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
                String phase = pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getPhase());
                if (phase.equals("Succeeded") || phase.equals("Failed") || pod.getSpec() == null) {
                    continue;
                }
                long[] requested = requests(pod.getSpec().getContainers());
                String node = pod.getSpec().getNodeName();
                if (node == null || node.isEmpty()) {
                    pending.add(requested);
                } else if (free.containsKey(node)) {
                    free.get(node)[0] -= requested[0];
                    free.get(node)[1] -= requested[1];
                }
            }
            // a pending pod that fits on no node takes nothing (it may wait for ever, in another team's namespace)
            long[] unplaced = new long[2];
            for (long[] p : pending) {
                if (free.values().stream().anyMatch(f -> p[0] <= f[0] && p[1] <= f[1])) {
                    unplaced[0] += p[0];
                    unplaced[1] += p[1];
                }
            }
            Map<String, Resources> byNode = new HashMap<>();
            free.forEach((n, r) -> byNode.put(n, new Resources(Math.max(0, r[0]), Math.max(0, r[1]))));
            return new Snapshot(byNode, new Resources(unplaced[0], unplaced[1]));
        } catch (KubernetesClientException e) {
            throw new KubernetesException("cannot ask " + Clusters.describe(client) + " for free capacity: " + Clusters.reason(e), e);
        }
    }

    private static boolean schedulable(Node node) {
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            return false;
        }
        if (node.getStatus() == null || node.getStatus().getAllocatable() == null) {
            return false;
        }
        List<NodeCondition> conditions = node.getStatus().getConditions();
        return conditions == null || conditions.stream().noneMatch(c -> "Ready".equals(c.getType()) && !"True".equals(c.getStatus()));
    }

    private static long[] requests(List<Container> containers) {
        long[] total = new long[2];
        for (Container c : containers) {
            if (c.getResources() != null && c.getResources().getRequests() != null) {
                total[0] += Quantities.milliCpus(c.getResources().getRequests().get("cpu"));
                total[1] += Quantities.bytes(c.getResources().getRequests().get("memory"));
            }
        }
        return total;
    }
}
