package io.fulfillmenthub.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void readsOperatorDurations() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), Durations.parse("5s"));
        assertEquals(Duration.ofMinutes(30), Durations.parse("30m"));
        assertEquals(Duration.ofHours(2), Durations.parse("2h"));
        assertEquals(Duration.ofDays(5), Durations.parse("5d"));
        assertEquals(Duration.ofSeconds(15), Durations.parse("PT15S"));
        assertEquals(Duration.ZERO, Durations.parse("immediately"));
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2)),
                Durations.parseList("1s, 1s,2s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 fortnights"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
    }

    @Test
    void theDefaultScheduleIsStandardWebhooks() {
        EventSettings s = new EventSettings();
        s.retrySchedule = "immediately,5s,5m,30m,2h,5h,10h,14h,20h,24h";
        s.disableAfter = "5d";
        s.webhookTimeout = "15s";
        s.pollInterval = "250ms";
        s.sseHeartbeat = "15s";
        s.webhookConcurrency = 8;
        s.perSubscription = 2;
        s.parse();
        assertEquals(9, s.retries().size());
        assertEquals(Duration.ofSeconds(5), s.retries().get(0));
        assertEquals(Duration.ofHours(24), s.retries().get(8));
        assertEquals(Duration.ofDays(5), s.disableAfter());
    }
}
