package io.fulfillmenthub.alerts.normalize;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses the timestamps real senders produce. Accepts RFC 3339 / ISO 8601 with {@code Z} or an offset, offsets
 * without a colon ({@code -0600}) or without minutes ({@code +02}), a space instead of {@code T}, a trailing
 * {@code UTC}/{@code GMT}, no offset at all (taken as UTC), a bare date (midnight UTC) and unix seconds or
 * milliseconds. Anything else yields empty.
 */
public final class LenientTimestamps {
    private static final Pattern EPOCH = Pattern.compile("\\d{1,13}");
    private static final Pattern SPACE_SEPARATOR = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}) +(?=\\d)");
    private static final Pattern ZONE_NAME = Pattern.compile(" ?(UTC|GMT)$");
    private static final Pattern OFFSET_NO_COLON =
            Pattern.compile("(T\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?) ?([+-]\\d{2})(\\d{2})$");
    private static final Pattern OFFSET_HOURS = Pattern.compile("(T\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?) ?([+-]\\d{2})$");
    private static final Pattern SPACE_BEFORE_ZONE = Pattern.compile("(T\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?) +(Z|[+-]\\d{2}:\\d{2})$");

    private LenientTimestamps() {
    }

    public static Optional<Instant> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        if (EPOCH.matcher(t).matches()) {
            long v = Long.parseLong(t);
            return Optional.of(v >= 100_000_000_000L ? Instant.ofEpochMilli(v) : Instant.ofEpochSecond(v));
        }
        t = t.toUpperCase(Locale.ROOT);
        t = SPACE_SEPARATOR.matcher(t).replaceFirst("$1T");
        t = ZONE_NAME.matcher(t).replaceFirst("Z");
        t = SPACE_BEFORE_ZONE.matcher(t).replaceFirst("$1$2");
        t = OFFSET_NO_COLON.matcher(t).replaceFirst("$1$2:$3");
        t = OFFSET_HOURS.matcher(t).replaceFirst("$1$2:00");
        t = t.replace(',', '.');
        try {
            return Optional.of(OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeException ignored) {
            // try the next form
        }
        try {
            return Optional.of(LocalDateTime.parse(t, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeException ignored) {
            // try the next form
        }
        try {
            return Optional.of(LocalDate.parse(t, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay().toInstant(ZoneOffset.UTC));
        } catch (DateTimeException ignored) {
            return Optional.empty();
        }
    }
}
