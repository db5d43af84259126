package io.fulfillmenthub.events;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Durations as operators write them: {@code 500ms}, {@code 5s}, {@code 5m}, {@code 2h}, {@code 5d}, or ISO {@code PT5S}. */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0") || t.equals("immediately")) {
            return Duration.ZERO;
        }
        if (t.startsWith("p")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration: '" + text + "'");
            }
        }
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a duration: '" + text + "'");
        }
        double n;
        try {
            n = Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "'");
        }
        long unitMillis = switch (t.substring(i).trim()) {
            case "ms" -> 1L;
            case "s", "" -> 1000L;
            case "m", "min" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> throw new IllegalArgumentException("unknown unit in duration '" + text + "' (ms, s, m, h, d)");
        };
        return Duration.ofMillis(Math.round(n * unitMillis));
    }

    public static List<Duration> parseList(String csv) {
        List<Duration> out = new ArrayList<>();
        for (String part : csv.split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        return out;
    }
}
