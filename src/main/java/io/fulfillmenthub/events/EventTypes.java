package io.fulfillmenthub.events;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.fulfillmenthub.http.ProblemException;

/** The event types of the contract, by short name ({@code cluster.created}); CloudEvents types carry the prefix. */
public final class EventTypes {

    public static final String SUBSCRIPTION_DISABLED = "subscription.disabled";

    /** Every short type a subscriber or stream may ask for, in the contract's order. */
    public static final List<String> KNOWN = List.of(
            "cluster.created", "cluster.ready", "cluster.failed", "cluster.scaled", "cluster.degraded",
            "cluster.expiring", "cluster.deleted", "host.offline", "host.available", "alert.opened",
            "alert.resolved", SUBSCRIPTION_DISABLED);

    private EventTypes() {
    }

    /** The short type of a short or full ({@code io.fulfillmenthub.}-prefixed) type; null when it is not known. */
    public static String shortType(String type) {
        if (type == null) {
            return null;
        }
        String t = type.trim();
        if (t.startsWith(Outbox.TYPE_PREFIX)) {
            t = t.substring(Outbox.TYPE_PREFIX.length());
        }
        return KNOWN.contains(t) ? t : null;
    }

    public static String fullType(String shortType) {
        return Outbox.TYPE_PREFIX + shortType;
    }

    /**
     * Parses a comma-separated {@code types} query filter into full types; empty set = every type.
     * An unknown type is a 400 naming {@code field}.
     */
    public static Set<String> parseFilter(String field, String csv) {
        Set<String> out = new LinkedHashSet<>();
        if (csv == null || csv.isBlank()) {
            return out;
        }
        for (String part : csv.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String s = shortType(part);
            if (s == null) {
                throw ProblemException.invalid(field, "unknown event type '" + part.trim() + "'; known: "
                        + String.join(", ", KNOWN));
            }
            out.add(fullType(s));
        }
        return out;
    }
}
