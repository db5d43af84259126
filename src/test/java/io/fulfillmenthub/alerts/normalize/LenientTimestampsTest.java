package io.fulfillmenthub.alerts.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LenientTimestampsTest {
    static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void acceptsRealWorldForms() {
        assertEquals(Optional.of(at("2026-11-26T16:14:02Z")), LenientTimestamps.parse("2026-11-26T10:14:02-0600"));
        assertEquals(Optional.of(at("2026-11-26T16:14:02Z")), LenientTimestamps.parse("2026-11-26T10:14:02-06:00"));
        assertEquals(Optional.of(at("2026-11-26T16:14:02Z")), LenientTimestamps.parse("2026-11-26T10:14:02 -0600"));
        assertEquals(Optional.of(at("2026-11-26T08:14:02Z")), LenientTimestamps.parse("2026-11-26T10:14:02+02"));
        assertEquals(Optional.of(at("2026-11-26T10:15:30.123Z")), LenientTimestamps.parse("2026-11-26T10:15:30.123Z"));
        assertEquals(Optional.of(at("2026-11-26T10:15:30.123456789Z")),
                LenientTimestamps.parse("2026-11-26T10:15:30.123456789Z"));
        assertEquals(Optional.of(at("2026-11-26T10:15:30Z")), LenientTimestamps.parse("2026-11-26t10:15:30z"));
        assertEquals(Optional.of(at("2026-11-26T10:15:30Z")), LenientTimestamps.parse("2026-11-26 10:15:30"));
        assertEquals(Optional.of(at("2026-11-26T10:15:30Z")), LenientTimestamps.parse("2026-11-26T10:15:30"));
        assertEquals(Optional.of(at("2026-11-26T10:15:30Z")), LenientTimestamps.parse("2026-11-26 10:15:30 UTC"));
        assertEquals(Optional.of(at("2026-11-26T10:15:00Z")), LenientTimestamps.parse("2026-11-26T10:15Z"));
        assertEquals(Optional.of(at("2026-11-26T00:00:00Z")), LenientTimestamps.parse("2026-11-26"));
        assertEquals(Optional.of(at("2026-11-26T10:15:30.500Z")), LenientTimestamps.parse("2026-11-26T10:15:30,5Z"));
        assertEquals(Optional.of(Instant.ofEpochSecond(1764201600L)), LenientTimestamps.parse("1764201600"));
        assertEquals(Optional.of(Instant.ofEpochMilli(1764201600123L)), LenientTimestamps.parse("1764201600123"));
    }

    @Test
    void rejectsGarbage() {
        for (String s : new String[] {null, "", "  ", "yesterday", "2026-13-45T99:00:00Z", "26/11/2026 10:00",
                "2026-11-26T10:14:02-06000"}) {
            assertTrue(LenientTimestamps.parse(s).isEmpty(), String.valueOf(s));
        }
    }
}
