package io.fulfillmenthub.http;

import java.util.List;

/** Offset pagination as the contract defines it: default limit 50, maximum 1000. */
public record Page(int offset, int limit) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1000;

    public static Page of(String offset, String limit) {
        int o = parse("offset", offset, 0);
        int l = parse("limit", limit, DEFAULT_LIMIT);
        if (o < 0) {
            throw ProblemException.invalid("offset", "offset must be 0 or more");
        }
        if (l < 1 || l > MAX_LIMIT) {
            throw ProblemException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        return new Page(o, l);
    }

    private static int parse(String name, String value, int dflt) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.invalid(name, name + " must be an integer");
        }
    }

    /** The list envelope: {@code {"size": n, "total": N, "items": [...]}}. */
    public static Envelope envelope(List<?> items, long total) {
        return new Envelope(items.size(), total, items);
    }

    public record Envelope(int size, long total, List<?> items) {
    }
}
