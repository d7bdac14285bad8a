package io.sluice.dag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DagTest {

    @Test
    void aFiveThousandTaskChainIsOrderedWithoutRecursion() {
        Map<String, List<String>> chain = new LinkedHashMap<>();
        for (int i = 4999; i >= 0; i--) {
            chain.put("t" + i, i == 0 ? List.of() : List.of("t" + (i - 1)));
        }

        List<String> order = new Dag(chain).topologicalOrder().orElseThrow();

        assertThat(order).hasSize(5000).startsWith("t0", "t1").endsWith("t4999");
    }

    @Test
    void aFiveThousandTaskCycleIsFoundAndNamedWithoutRecursion() {
        Map<String, List<String>> ring = new LinkedHashMap<>();
        for (int i = 0; i < 5000; i++) {
            ring.put("t" + i, List.of("t" + ((i + 4999) % 5000)));
        }

        List<String> cycle = new Dag(ring).findCycle().orElseThrow();

        assertThat(cycle).hasSize(5001).startsWith("t0", "t1").endsWith("t4999", "t0");
    }

    @Test
    void theCycleIsNamedInRunOrderFromTheFirstTaskWritten() {
        Map<String, List<String>> graph = new LinkedHashMap<>();
        graph.put("root", List.of());
        graph.put("a", List.of("root", "c"));
        graph.put("b", List.of("a"));
        graph.put("c", List.of("b"));
        graph.put("after", List.of("c"));

        assertThat(new Dag(graph).findCycle()).hasValue(List.of("a", "b", "c", "a"));
    }

    @Test
    void aGraphWithoutACycleHasNone() {
        Map<String, List<String>> diamond = Map.of("a", List.of(), "b", List.of("a"), "c", List.of("a"), "d", List.of("b", "c"));

        assertThat(new Dag(diamond).findCycle()).isEmpty();
        assertThat(new Dag(diamond).downstreamOf(Set.of("b"))).containsExactly("d");
    }
}
