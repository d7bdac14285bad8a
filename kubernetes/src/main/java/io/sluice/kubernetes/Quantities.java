package io.sluice.kubernetes;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;

/** Sluice's resources (thousandths of a CPU, bytes) as Kubernetes quantities, and back. */
final class Quantities {
    private Quantities() {
    }

    static Quantity cpu(long milliCpus) {
        return new Quantity(milliCpus + "m");
    }

    static Quantity memory(long bytes) {
        return new Quantity(Long.toString(bytes));
    }

    static long milliCpus(Quantity q) {
        return q == null ? 0 : Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).longValue();
    }

    static long bytes(Quantity q) {
        return q == null ? 0 : Quantity.getAmountInBytes(q).longValue();
    }
}
