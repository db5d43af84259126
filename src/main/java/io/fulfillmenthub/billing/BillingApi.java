package io.fulfillmenthub.billing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Role;
import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/** The provider's view of billing deliveries and what became of them: {@code /api/admin/v1/billing_events}. */
@ApplicationScoped
@Named("billingApi")
public class BillingApi {

    static final List<String> STATES = List.of("RECEIVED", "PENDING", "APPLIED", "REJECTED", "IGNORED");

    @Inject
    Auth auth;
    @Inject
    Db db;

    public record BillingEvent(long id, String provider, String eventId, String eventType, String tenant,
            Instant receivedAt, String status, String reason, String clusterId, Instant processedAt) {
    }

    public void list(Exchange ex) {
        auth.require(ex, Role.PROVIDER_ADMIN, Role.SRE);
        Page page = Api.page(ex);
        List<Object> args = new ArrayList<>();
        List<String> where = new ArrayList<>();
        String status = Api.query(ex, "status");
        if (status != null && !status.isBlank()) {
            status = status.trim().toUpperCase(Locale.ROOT);
            if (!STATES.contains(status)) {
                throw ProblemException.invalid("status", "status must be one of " + STATES);
            }
            where.add("status = ?");
            args.add(status);
        }
        String provider = Api.query(ex, "provider");
        if (provider != null && !provider.isBlank()) {
            where.add("provider = ?");
            args.add(provider.trim());
        }
        String w = where.isEmpty() ? "" : " where " + String.join(" and ", where);
        long total = db.read(c -> Db.count(c, "select count(*) from billing_events" + w, args.toArray()));
        args.add(page.offset());
        args.add(page.limit());
        List<BillingEvent> items = db.read(c -> Db.list(c, "select * from billing_events" + w
                + " order by id offset ? rows fetch next ? rows only", BillingApi::map, args.toArray()));
        Api.json(ex, 200, Page.envelope(items, total));
    }

    public void get(Exchange ex) {
        auth.require(ex, Role.PROVIDER_ADMIN, Role.SRE);
        String id = Api.header(ex, "id");
        BillingEvent e = db.read(c -> Db.one(c, "select * from billing_events where event_id = ?"
                + (id != null && id.matches("\\d{1,18}") ? " or id = " + Long.parseLong(id) : ""), BillingApi::map, id));
        if (e == null) {
            throw ProblemException.notFound("billing event", id);
        }
        Api.json(ex, 200, e);
    }

    static BillingEvent map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new BillingEvent(rs.getLong("id"), rs.getString("provider"), rs.getString("event_id"),
                rs.getString("event_type"), rs.getString("tenant"), Db.instant(rs, "received_at"), rs.getString("status"),
                rs.getString("reason"), rs.getString("cluster_id"), Db.instant(rs, "processed_at"));
    }
}
