package io.fulfillmenthub.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Caller;
import io.fulfillmenthub.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/** {@code GET /api/fulfillment/v1/events?after=&limit=&types=}: the caller's tenant's events, oldest first. */
@ApplicationScoped
@Named("eventsApi")
public class EventsApi {

    @Inject
    Auth auth;
    @Inject
    EventLog log;

    /** The poll list: {@code {size, total, items: [CloudEvent + cursor], next_after}}. */
    public record PollPage(int size, long total, List<Map<String, Object>> items, String nextAfter) {
    }

    public void poll(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_USER);
        long after = cursor("after", Api.query(ex, "after"));
        int limit = Page.of(null, Api.query(ex, "limit")).limit();
        Set<String> types = EventTypes.parseFilter("types", Api.query(ex, "types"));
        List<Map<String, Object>> items = new ArrayList<>();
        long next = after;
        for (StoredEvent e : log.forTenant(caller.tenant(), after, null, types, limit)) {
            items.add(e.cloudEvent());
            next = e.seq();
        }
        long total = log.countForTenant(caller.tenant(), after, types);
        Api.json(ex, 200, new PollPage(items.size(), total, items, Long.toString(next)));
    }

    /** A cursor parameter: a non-negative integer (absent = 0, from the beginning). */
    public static long cursor(String field, String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw ProblemException.invalid(field, field + " must be a cursor (0 or more)");
            }
            return v;
        } catch (NumberFormatException e) {
            throw ProblemException.invalid(field, field + " must be a cursor returned by the hub (an integer)");
        }
    }
}
