package io.fulfillmenthub.catalog;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ISO 8601 lease duration such as {@code PT1M}, {@code P7D}, {@code P1M} or {@code P1Y}: a calendar part (years,
 * months, weeks, days) and a time part. Two durations are equal when they name the same parts.
 */
public record LeaseDuration(Period period, Duration time) {

    private static final Pattern ISO = Pattern.compile(
            "P(?:(\\d{1,4})Y)?(?:(\\d{1,4})M)?(?:(\\d{1,4})W)?(?:(\\d{1,5})D)?(?:T(?:(\\d{1,6})H)?(?:(\\d{1,7})M)?(?:(\\d{1,9})S)?)?");

    /** Parses a duration, or returns null when the text is not a positive ISO 8601 duration. */
    public static LeaseDuration parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toUpperCase(Locale.ROOT);
        Matcher m = ISO.matcher(t);
        if (!m.matches() || t.equals("P") || t.endsWith("T")) {
            return null;
        }
        int years = group(m, 1);
        int months = group(m, 2);
        int days = group(m, 3) * 7 + group(m, 4);
        Duration time = Duration.ofHours(group(m, 5)).plusMinutes(group(m, 6)).plusSeconds(group(m, 7));
        Period period = Period.of(years, months, days);
        if (period.isZero() && time.isZero()) {
            return null;
        }
        return new LeaseDuration(period, time);
    }

    private static int group(Matcher m, int i) {
        String g = m.group(i);
        return g == null ? 0 : Integer.parseInt(g);
    }

    public Instant addTo(Instant start) {
        return start.atOffset(ZoneOffset.UTC).plus(period).plus(time).toInstant();
    }

    /** The canonical text, e.g. {@code P30D}, {@code PT1M}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("P");
        if (period.getYears() > 0) {
            sb.append(period.getYears()).append('Y');
        }
        if (period.getMonths() > 0) {
            sb.append(period.getMonths()).append('M');
        }
        if (period.getDays() > 0) {
            sb.append(period.getDays()).append('D');
        }
        if (!time.isZero()) {
            sb.append('T');
            long h = time.toHours();
            long min = time.toMinutesPart();
            long s = time.toSecondsPart();
            if (h > 0) {
                sb.append(h).append('H');
            }
            if (min > 0) {
                sb.append(min).append('M');
            }
            if (s > 0) {
                sb.append(s).append('S');
            }
        }
        return sb.toString();
    }
}
