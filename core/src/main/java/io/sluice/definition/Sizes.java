package io.sluice.definition;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as in pipeline.yaml: {@code 512MiB}, {@code 2GiB} (binary) or {@code 500M}, {@code 1G} (decimal). */
public final class Sizes {
    public static final String FORMS = "a size such as 512MiB, 2GiB, 500M or 1G";
    private static final Pattern FORM = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,6})?)\\s*([KMGT]i?B?|B)?");

    private Sizes() {
    }

    public static Optional<Long> parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit) {
            case "B" -> 1L;
            case "K", "KB" -> 1_000L;
            case "M", "MB" -> 1_000_000L;
            case "G", "GB" -> 1_000_000_000L;
            case "T", "TB" -> 1_000_000_000_000L;
            case "Ki", "KiB" -> 1L << 10;
            case "Mi", "MiB" -> 1L << 20;
            case "Gi", "GiB" -> 1L << 30;
            case "Ti", "TiB" -> 1L << 40;
            default -> -1L;
        };
        if (factor < 0) {
            return Optional.empty();
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return Optional.empty();
        }
        return Optional.of(bytes.longValue());
    }

    /** A readable binary form, for messages. */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return value == Math.rint(value) ? (long) value + units[unit] : String.format("%.1f%s", value, units[unit]);
    }
}
