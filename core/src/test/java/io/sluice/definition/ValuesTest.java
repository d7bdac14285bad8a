package io.sluice.definition;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {
    @Test
    void durationsTakeTheSpecForms() {
        assertThat(Durations.parse("500ms")).hasValue(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).hasValue(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).hasValue(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).hasValue(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).hasValue(Duration.ofDays(1));
        assertThat(Durations.parse("1.5h")).isEmpty();
        assertThat(Durations.parse("30")).isEmpty();
        assertThat(Durations.parse("-5m")).isEmpty();
        assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
    }

    @Test
    void sizesAreBinaryWithIAndDecimalWithout() {
        assertThat(Sizes.parse("512MiB")).hasValue(512L * 1024 * 1024);
        assertThat(Sizes.parse("2GiB")).hasValue(2L << 30);
        assertThat(Sizes.parse("500M")).hasValue(500_000_000L);
        assertThat(Sizes.parse("1G")).hasValue(1_000_000_000L);
        assertThat(Sizes.parse("1.5Gi")).hasValue(3L << 29);
        assertThat(Sizes.parse("lots")).isEmpty();
        assertThat(Sizes.parse("99999999999999TiB")).isEmpty();
    }

    @Test
    void idsFollowTheSpecRule() {
        assertThat(Ids.isValid("daily_sales")).isTrue();
        assertThat(Ids.isValid("a" + "b".repeat(62))).isTrue();
        assertThat(Ids.isValid("a" + "b".repeat(63))).isFalse();
        assertThat(Ids.isValid("Daily")).isFalse();
        assertThat(Ids.isValid("1st")).isFalse();
        assertThat(Ids.isValid("with-dash")).isFalse();
    }
}
