package io.sluice.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The task graph of a pipeline: each node lists the nodes it needs. Every walk here is iterative,
 * so a 5,000-task chain costs memory, not stack.
 */
public final class Dag {
    private final Map<String, List<String>> needs = new LinkedHashMap<>();
    private final Map<String, List<String>> dependents = new HashMap<>();

    /** Builds the graph; needs that name no node are ignored here (the validator reports them). */
    public Dag(Map<String, List<String>> needsByNode) {
        needsByNode.forEach((node, ns) -> needs.put(node, List.copyOf(new LinkedHashSet<>(ns))));
        needs.keySet().forEach(n -> dependents.put(n, new ArrayList<>()));
        needs.forEach((node, ns) -> ns.stream().filter(needs::containsKey).forEach(n -> dependents.get(n).add(node)));
    }

    public List<String> nodes() {
        return List.copyOf(needs.keySet());
    }

    public List<String> needsOf(String node) {
        return needs.getOrDefault(node, List.of()).stream().filter(needs::containsKey).toList();
    }

    public List<String> dependentsOf(String node) {
        return Collections.unmodifiableList(dependents.getOrDefault(node, List.of()));
    }

    /** Nodes in an order where each comes after everything it needs; empty when there is a cycle. */
    public Optional<List<String>> topologicalOrder() {
        Map<String, Integer> waiting = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>();
        for (String node : needs.keySet()) {
            int n = needsOf(node).size();
            waiting.put(node, n);
            if (n == 0) {
                ready.add(node);
            }
        }
        List<String> order = new ArrayList<>(needs.size());
        while (!ready.isEmpty()) {
            String node = ready.poll();
            order.add(node);
            for (String d : dependentsOf(node)) {
                if (waiting.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        return order.size() == needs.size() ? Optional.of(order) : Optional.empty();
    }

    /** One cycle, as the nodes along it with the first repeated at the end ({@code a -> b -> a}); empty if none. */
    public Optional<List<String>> findCycle() {
        if (topologicalOrder().isPresent()) {
            return Optional.empty();
        }
        // Nodes left after peeling off everything reachable from roots all have a need among themselves.
        Set<String> left = new LinkedHashSet<>(needs.keySet());
        Map<String, Integer> waiting = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>();
        for (String node : needs.keySet()) {
            waiting.put(node, needsOf(node).size());
            if (waiting.get(node) == 0) {
                ready.add(node);
            }
        }
        while (!ready.isEmpty()) {
            String node = ready.poll();
            left.remove(node);
            for (String d : dependentsOf(node)) {
                if (waiting.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        String start = left.iterator().next();
        Map<String, Integer> seenAt = new HashMap<>();
        List<String> walk = new ArrayList<>();
        String current = start;
        while (!seenAt.containsKey(current)) {
            seenAt.put(current, walk.size());
            walk.add(current);
            current = needsOf(current).stream().filter(left::contains).findFirst().orElseThrow();
        }
        List<String> cycle = new ArrayList<>(walk.subList(seenAt.get(current), walk.size()));
        // walked along "needs" edges; show it in run order: a -> b means b needs a
        Collections.reverse(cycle);
        // start at the node written first, so the report is stable and reads from the top of the file
        List<String> order = new ArrayList<>(needs.keySet());
        int first = 0;
        for (int i = 1; i < cycle.size(); i++) {
            if (order.indexOf(cycle.get(i)) < order.indexOf(cycle.get(first))) {
                first = i;
            }
        }
        Collections.rotate(cycle, -first);
        cycle.add(cycle.get(0));
        return Optional.of(cycle);
    }

    /** Everything below {@code roots} (not including them), in no particular order. */
    public Set<String> downstreamOf(Set<String> roots) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            for (String d : dependentsOf(todo.poll())) {
                if (seen.add(d)) {
                    todo.add(d);
                }
            }
        }
        seen.removeAll(roots);
        return seen;
    }
}
