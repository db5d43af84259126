package io.fulfillmenthub.events.webhooks;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.fulfillmenthub.events.EventLog;
import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.events.EventTypes;
import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Caller;
import io.fulfillmenthub.security.Role;
import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/** {@code /api/fulfillment/v1/event_subscriptions}: a tenant admin's webhook subscriptions and their delivery log. */
@ApplicationScoped
@Named("subscriptionApi")
public class SubscriptionApi {

    static final int MAX_TYPES = 50;

    @Inject
    Auth auth;
    @Inject
    Db db;
    @Inject
    EventSettings settings;
    @Inject
    SecretBox secrets;

    /** POST: 201 with the subscription and its {@code whsec_} secret, shown this once. */
    public void create(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        SubscriptionRequest req = Api.body(ex, SubscriptionRequest.class, false);
        URI url = validateUrl(req.url);
        List<String> types = validateTypes(req.eventTypes);
        String id = UUID.randomUUID().toString();
        String secret = io.fulfillmenthub.security.signing.StandardWebhooks.generateSecret();
        String sealed = secrets.seal(id, secret);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Subscription s = db.tx(c -> {
            long held = Db.count(c, "select count(*) from event_subscriptions where tenant = ?", caller.tenant());
            if (held >= settings.maxSubscriptions()) {
                throw ProblemException.conflict("the tenant already has " + held + " subscriptions, the most allowed");
            }
            long start = EventLog.head(c);
            Db.update(c, "insert into event_subscriptions (id, tenant, url, event_types, secret_enc, state, start_seq,"
                    + " created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", id, caller.tenant(), url.toString(),
                    String.join(",", types), sealed, Subscription.ACTIVE, start, now, now);
            return get(c, id);
        });
        SubscriptionView v = SubscriptionView.of(s);
        v.secret = secret;
        Api.json(ex, 201, v);
        Api.responseHeader(ex, "Location", "/api/fulfillment/v1/event_subscriptions/" + id);
        Api.responseHeader(ex, "Cache-Control", "no-store");
    }

    public void list(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        Page page = Api.page(ex);
        List<SubscriptionView> items = new ArrayList<>();
        long total = db.read(c -> {
            for (Subscription s : Db.list(c, "select " + Subscription.COLUMNS + " from event_subscriptions where tenant = ?"
                    + " order by created_at, id offset " + page.offset() + " rows fetch first " + page.limit() + " rows only",
                    Subscription::map, caller.tenant())) {
                items.add(SubscriptionView.of(s));
            }
            return Db.count(c, "select count(*) from event_subscriptions where tenant = ?", caller.tenant());
        });
        Api.json(ex, 200, Page.envelope(items, total));
    }

    public void get(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        Api.json(ex, 200, SubscriptionView.of(visible(caller, Api.header(ex, "id"))));
    }

    /** DELETE: the subscription, its pending deliveries and its log are gone; 204. */
    public void delete(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        String id = Api.header(ex, "id");
        db.tx(c -> {
            Subscription s = get(c, id);
            if (s == null || !s.tenant().equals(caller.tenant())) {
                throw ProblemException.notFound("event subscription", id);
            }
            Db.update(c, "delete from webhook_attempts where subscription_id = ?", id);
            Db.update(c, "delete from webhook_deliveries where subscription_id = ?", id);
            Db.update(c, "delete from event_subscriptions where id = ?", id);
            return null;
        });
        Api.noContent(ex);
    }

    /** GET /{id}/deliveries: one item per event with its attempts; filter {@code state}; oldest first. */
    public void deliveries(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        Subscription s = visible(caller, Api.header(ex, "id"));
        Page page = Api.page(ex);
        String state = Api.query(ex, "state");
        if (state != null && !state.isBlank()) {
            state = state.trim().toUpperCase(Locale.ROOT);
            if (!Set.of(Deliveries.PENDING, Deliveries.DELIVERED, Deliveries.FAILED).contains(state)) {
                throw ProblemException.invalid("state", "state must be one of PENDING, DELIVERED, FAILED");
            }
        } else {
            state = null;
        }
        String st = state;
        List<DeliveryView> items = new ArrayList<>();
        long total = db.read(c -> {
            String where = " where subscription_id = ?" + (st == null ? "" : " and state = ?");
            Object[] args = st == null ? new Object[] {s.id()} : new Object[] {s.id(), st};
            Map<Long, DeliveryView> byId = new LinkedHashMap<>();
            for (DeliveryView d : Db.list(c, "select id, event_id, event_type, event_seq, subject, state, attempts,"
                    + " next_attempt_at, last_status, last_error, created_at, completed_at from webhook_deliveries" + where
                    + " order by id offset " + page.offset() + " rows fetch first " + page.limit() + " rows only",
                    rs -> {
                        DeliveryView d = new DeliveryView();
                        d.id = rs.getLong("id");
                        d.eventId = rs.getString("event_id");
                        d.eventType = rs.getString("event_type");
                        d.cursor = Long.toString(rs.getLong("event_seq"));
                        d.subject = rs.getString("subject");
                        d.state = rs.getString("state");
                        d.attempts = rs.getInt("attempts");
                        d.nextAttemptAt = Deliveries.PENDING.equals(d.state) ? Db.instant(rs, "next_attempt_at") : null;
                        int code = rs.getInt("last_status");
                        d.lastStatusCode = rs.wasNull() ? null : code;
                        d.lastError = rs.getString("last_error");
                        d.createdAt = Db.instant(rs, "created_at");
                        d.completedAt = Db.instant(rs, "completed_at");
                        return d;
                    }, args)) {
                byId.put(d.id, d);
            }
            if (!byId.isEmpty()) {
                long lo = byId.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
                long hi = byId.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
                Db.list(c, "select delivery_id, attempt, attempted_at, duration_ms, status_code, error, next_retry_at"
                        + " from webhook_attempts where subscription_id = ? and delivery_id between ? and ?"
                        + " order by delivery_id, attempt", rs -> {
                            DeliveryView d = byId.get(rs.getLong("delivery_id"));
                            if (d != null) {
                                DeliveryView.Attempt a = new DeliveryView.Attempt();
                                a.attempt = rs.getInt("attempt");
                                a.attemptedAt = Db.instant(rs, "attempted_at");
                                a.durationMs = rs.getLong("duration_ms");
                                int code = rs.getInt("status_code");
                                a.statusCode = rs.wasNull() ? null : code;
                                a.error = rs.getString("error");
                                a.nextRetryAt = Db.instant(rs, "next_retry_at");
                                d.attemptLog.add(a);
                            }
                            return null;
                        }, s.id(), lo, hi);
            }
            items.addAll(byId.values());
            return Db.count(c, "select count(*) from webhook_deliveries" + where, args);
        });
        Api.json(ex, 200, Page.envelope(items, total));
    }

    private Subscription visible(Caller caller, String id) {
        Subscription s = id == null ? null : db.read(c -> get(c, id));
        if (s == null || !s.tenant().equals(caller.tenant())) {
            throw ProblemException.notFound("event subscription", id);
        }
        return s;
    }

    static Subscription get(Connection c, String id) throws SQLException {
        return Db.one(c, "select " + Subscription.COLUMNS + " from event_subscriptions where id = ?", Subscription::map, id);
    }

    URI validateUrl(String url) {
        try {
            URI uri = TargetPolicy.parse(url);
            TargetPolicy.checkResolved(uri, settings.allowPrivateTargets());
            return uri;
        } catch (TargetPolicy.Refused e) {
            throw ProblemException.invalid("url", e.getMessage());
        }
    }

    static List<String> validateTypes(List<String> given) {
        if (given == null || given.isEmpty()) {
            throw ProblemException.invalid("event_types", "event_types must list at least one event type; known: "
                    + String.join(", ", EventTypes.KNOWN));
        }
        if (given.size() > MAX_TYPES) {
            throw ProblemException.invalid("event_types", "at most " + MAX_TYPES + " event types");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String t = EventTypes.shortType(given.get(i));
            if (t == null) {
                throw ProblemException.invalid("event_types[" + i + "]", "unknown event type '" + given.get(i)
                        + "'; known: " + String.join(", ", EventTypes.KNOWN));
            }
            out.add(t);
        }
        return new ArrayList<>(out);
    }
}
