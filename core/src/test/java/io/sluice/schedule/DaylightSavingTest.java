package io.sluice.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The daylight-saving policy of docs/decisions.md: every wall-clock fire happens exactly once. */
class DaylightSavingTest {
    private static final ZoneId WARSAW = ZoneId.of("Europe/Warsaw");

    private static List<String> fires(String cron, String fromLocal, int count) throws InvalidScheduleException {
        Schedule s = Schedule.parse(cron);
        ZonedDateTime t = LocalDateTime.parse(fromLocal).atZone(WARSAW);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            t = s.nextAfter(t).orElseThrow();
            out.add(t.toOffsetDateTime().toString());
        }
        return out;
    }

    @Test
    void aDailyFireInTheSpringGapRunsLaterByTheGapSoNoDayLosesItsRun() throws Exception {
        assertThat(fires("30 2 * * *", "2026-03-28T12:00", 3))
                .containsExactly("2026-03-29T03:30+02:00", "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00");
    }

    @Test
    void aDailyFireInTheAutumnOverlapRunsOnceAtItsFirstOccurrence() throws Exception {
        assertThat(fires("30 2 * * *", "2026-10-24T12:00", 2))
                .containsExactly("2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00");
    }

    @Test
    void hourlyIntervalsCoverTheRepeatedHourOnceWithoutGapOrOverlap() throws Exception {
        assertThat(fires("0 * * * *", "2026-10-25T00:30", 4))
                .containsExactly("2026-10-25T01:00+02:00", "2026-10-25T02:00+02:00", "2026-10-25T03:00+01:00", "2026-10-25T04:00+01:00");
        assertThat(fires("0 * * * *", "2026-03-29T00:30", 3))
                .containsExactly("2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00", "2026-03-29T04:00+02:00");
    }

    @Test
    void lastBeforeAgreesWithNextAfter() throws Exception {
        Schedule s = Schedule.parse("*/30 1-3 * * *");
        ZonedDateTime t = LocalDateTime.parse("2026-10-25T00:00").atZone(WARSAW);
        List<Instant> forward = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            t = s.nextAfter(t).orElseThrow();
            forward.add(t.toInstant());
        }
        List<Instant> backward = new ArrayList<>();
        ZonedDateTime u = t.plusSeconds(1);
        for (int i = 0; i < 8; i++) {
            u = s.lastBefore(u).orElseThrow();
            backward.add(0, u.toInstant());
        }

        assertThat(backward).isEqualTo(forward);
        assertThat(forward).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void twoWallClockFiresThatLandOnOneInstantFireOnce() throws Exception {
        // 02:30 does not exist on 2026-03-29 and resolves to 03:30, which is also a fire of its own
        assertThat(fires("30 2,3 * * *", "2026-03-29T00:00", 2))
                .containsExactly("2026-03-29T03:30+02:00", "2026-03-30T02:30+02:00");
    }
}
