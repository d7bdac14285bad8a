package io.sluice.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogicalDatesTest {
    private static final ZoneId WARSAW = ZoneId.of("Europe/Warsaw");

    @Test
    void aManualRunOfAnUnscheduledPipelineCoversTodayInItsZone() throws Exception {
        Interval i = LogicalDates.manual(Optional.empty(), WARSAW, Optional.empty(), Instant.parse("2026-03-10T23:30:00Z"));

        assertThat(i).isEqualTo(new Interval(Instant.parse("2026-03-10T23:00:00Z"), Instant.parse("2026-03-11T23:00:00Z")));
        assertThat(LogicalDates.format(i, Optional.empty(), WARSAW)).isEqualTo("2026-03-11");
    }

    @Test
    void withoutADateAScheduledPipelineRunsItsLatestCompleteInterval() throws Exception {
        Schedule daily = Schedule.parse("0 3 * * *");

        Interval i = LogicalDates.manual(Optional.of(daily), WARSAW, Optional.empty(), Instant.parse("2026-06-10T12:00:00Z"));

        assertThat(i).isEqualTo(new Interval(Instant.parse("2026-06-09T01:00:00Z"), Instant.parse("2026-06-10T01:00:00Z")));
        assertThat(LogicalDates.format(i, Optional.of(daily), WARSAW)).isEqualTo("2026-06-09");
    }

    @Test
    void aDateNamesTheIntervalThatStartsThatDay() throws Exception {
        Schedule daily = Schedule.parse("0 3 * * *");

        Interval i = LogicalDates.manual(Optional.of(daily), ZoneOffset.UTC, Optional.of("2024-01-01"), Instant.now());

        assertThat(i).isEqualTo(new Interval(Instant.parse("2024-01-01T03:00:00Z"), Instant.parse("2024-01-02T03:00:00Z")));
    }

    @Test
    void aDateOnWhichNoIntervalStartsIsRefusedWithTheNextStart() throws Exception {
        Schedule mondays = Schedule.parse("0 0 * * 1");

        assertThatThrownBy(() -> LogicalDates.manual(Optional.of(mondays), ZoneOffset.UTC, Optional.of("2024-01-03"), Instant.now()))
                .isInstanceOf(InvalidDateException.class)
                .hasMessageContaining("starts on 2024-01-03").hasMessageContaining("2024-01-08");
    }

    @Test
    void subDailySchedulesHaveDateTimeLogicalDates() throws Exception {
        Schedule hourly = Schedule.parse("@hourly");

        Interval i = LogicalDates.manual(Optional.of(hourly), ZoneOffset.UTC, Optional.of("2024-01-01T05:00"), Instant.now());

        assertThat(LogicalDates.format(i, Optional.of(hourly), ZoneOffset.UTC)).isEqualTo("2024-01-01T05:00:00Z");
        assertThatThrownBy(() -> LogicalDates.manual(Optional.of(hourly), ZoneOffset.UTC, Optional.of("2024-01-01T05:30"), Instant.now()))
                .hasMessageContaining("is not a start");
    }

    @Test
    void badDatesAreRefusedWithTheFormToUse() {
        assertThatThrownBy(() -> LogicalDates.manual(Optional.empty(), ZoneOffset.UTC, Optional.of("yesterday"), Instant.now()))
                .isInstanceOf(InvalidDateException.class).hasMessage("bad date 'yesterday': use YYYY-MM-DD");
        assertThatThrownBy(() -> LogicalDates.manual(Optional.empty(), ZoneOffset.UTC, Optional.of("2024-02-30"), Instant.now()))
                .isInstanceOf(InvalidDateException.class);
    }

    @Test
    void shorthandsAndBadCron() throws Exception {
        assertThat(Schedule.parse("@daily").isSubDaily()).isFalse();
        assertThat(Schedule.parse("*/15 * * * *").isSubDaily()).isTrue();
        assertThatThrownBy(() -> Schedule.parse("@fortnightly")).hasMessageContaining("unknown schedule shorthand");
        assertThatThrownBy(() -> Schedule.parse("0 3 * *")).hasMessageContaining("not 5-field cron");
    }
}
