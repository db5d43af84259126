package io.fulfillmenthub.billing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fulfillmenthub.billing.parse.BillingCommand;
import io.fulfillmenthub.billing.parse.BillingEvents;
import io.fulfillmenthub.billing.parse.MalformedBillingEventException;
import io.fulfillmenthub.billing.signature.StripeSignature;
import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.signing.SignatureVerificationException;
import io.fulfillmenthub.security.signing.StandardWebhooks;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.GroupCommit;
import io.fulfillmenthub.store.IntakePace;
import io.fulfillmenthub.store.Wakeups;
import io.fulfillmenthub.store.WorkQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * The billing webhooks' inbox: verify the signature over the raw bytes, check the body parses, record the event once
 * (provider + event id) together with the request to apply it, answer 2xx. Applying happens asynchronously
 * ({@link BillingProcessor}), so the sender never waits for the management hub and a crash after the 2xx loses nothing.
 */
@ApplicationScoped
@Named("billingInbox")
public class BillingInbox {

    private static final Logger LOG = Logger.getLogger(BillingInbox.class);
    public static final String WORK = "billing";

    @Inject
    BillingSecrets secrets;
    @Inject
    Db db;
    @Inject
    MeterRegistry metrics;

    final StripeSignature stripe = new StripeSignature();
    final StandardWebhooks standard = new StandardWebhooks();
    final BillingEvents parser = new BillingEvents();
    /** The accepted-deliveries counters by provider and duplicate flag: looked up once, not on every delivery. */
    private final Map<String, Counter> accepted = new ConcurrentHashMap<>();

    /** POST /webhooks/billing/stripe */
    public void stripe(Exchange ex) {
        IntakePace.HUB.arrived();
        byte[] raw = Api.rawBody(ex);
        Api.requireJson(ex, false);
        try {
            stripe.verify(Api.header(ex, "Stripe-Signature"), raw, secrets.stripe(), Instant.now());
        } catch (SignatureVerificationException e) {
            throw refused(e);
        }
        BillingCommand cmd = parse(() -> parser.parseStripe(raw));
        record(ex, "stripe", cmd, raw);
    }

    /** POST /webhooks/billing (Standard Webhooks) */
    public void standard(Exchange ex) {
        IntakePace.HUB.arrived();
        byte[] raw = Api.rawBody(ex);
        Api.requireJson(ex, false);
        StandardWebhooks.Verified v;
        try {
            v = standard.verify(name -> Api.header(ex, name), raw, secrets.standard(), Instant.now());
        } catch (SignatureVerificationException e) {
            throw refused(e);
        }
        BillingCommand cmd = parse(() -> parser.parseStandardWebhook(v.messageId(), raw));
        record(ex, "standard", cmd, raw);
    }

    interface Parse {
        BillingCommand run() throws MalformedBillingEventException;
    }

    private static BillingCommand parse(Parse p) {
        try {
            return p.run();
        } catch (MalformedBillingEventException e) {
            throw ProblemException.invalid(null, "signed, but not a readable billing event: " + e.getMessage());
        }
    }

    private ProblemException refused(SignatureVerificationException e) {
        metrics.counter("hub_billing_webhooks_refused_total", "reason", e.reason().name()).increment();
        if (e.reason().isConfigurationError()) {
            LOG.error("billing webhook secrets are misconfigured: " + e.reason());
            return new ProblemException(500, "misconfigured", "Webhook secrets misconfigured",
                    "the hub cannot verify signatures right now; retry later", null);
        }
        return new ProblemException(401, "bad-signature", "Signature refused", e.getMessage(), null);
    }

    private void record(Exchange ex, String provider, BillingCommand cmd, byte[] raw) {
        Delivery d = new Delivery(provider, cmd.eventId(), cmd.eventType(), cmd.tenant(),
                String.join(" ", links(cmd)), new String(raw, java.nio.charset.StandardCharsets.UTF_8),
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        d.checkFits();
        boolean duplicate = writes.submit(d);
        String dup = Boolean.toString(duplicate);
        accepted.computeIfAbsent(provider + "/" + dup, k -> metrics.counter("hub_billing_webhooks_total",
                "provider", provider, "duplicate", dup)).increment();
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("received", true);
        ack.put("event_id", cmd.eventId());
        ack.put("duplicate", duplicate);
        Api.json(ex, 200, ack);
    }

    /** A verified delivery as the inbox records it. */
    record Delivery(String provider, String eventId, String eventType, String tenant, String linkKeys, String body,
            Instant receivedAt) {

        /** The columns' sizes: a longer value is the sender's error (400), not a failed write (500). */
        void checkFits() {
            fits("the event id", eventId, 255);
            fits("the event type", eventType, 120);
            fits("the tenant", tenant, 100);
            fits("the payment references", linkKeys, 1000);
        }

        private static void fits(String what, String value, int max) {
            if (value != null && value.length() > max) {
                throw ProblemException.invalid(null, what + " is longer than " + max + " characters");
            }
        }
    }

    /**
     * Deliveries arriving together are recorded together (one statement and one commit for all of them, see
     * {@link GroupCommit}): under load, the inbox's database work is per batch rather than per delivery.
     */
    private final GroupCommit<Delivery, Boolean> writes = new GroupCommit<>(2, 64, this::recordAll);

    /** Records each delivery once (provider + event id) with its work item; true for each one already recorded. */
    private List<Boolean> recordAll(List<Delivery> ds) {
        if (db.isPostgres()) {
            List<Boolean> duplicate = db.read(c -> recordOnPostgres(c, ds));
            if (duplicate.contains(false)) {
                Wakeups.signal(WORK); // the statement queues the items itself, past WorkQueue's own signal
            }
            return duplicate;
        }
        List<Boolean> duplicate = new ArrayList<>(ds.size());
        for (Delivery d : ds) {
            duplicate.add(recordOnH2(d)); // WorkQueue.enqueueNew wakes the consumer as each commits
        }
        return duplicate;
    }

    /**
     * One statement, one round trip, committed on its own (auto-commit): the events and their queue items together
     * or neither. An event recorded before, or earlier in the same batch, is skipped ({@code on conflict do nothing})
     * and answered as a duplicate.
     */
    private static List<Boolean> recordOnPostgres(Connection c, List<Delivery> ds) throws SQLException {
        int n = ds.size();
        String[][] cols = new String[7][n];
        for (int i = 0; i < n; i++) {
            Delivery d = ds.get(i);
            cols[0][i] = d.provider();
            cols[1][i] = d.eventId();
            cols[2][i] = d.eventType();
            cols[3][i] = d.tenant();
            cols[4][i] = d.receivedAt().toString();
            cols[5][i] = d.linkKeys();
            cols[6][i] = d.body();
        }
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("with d as (select * from unnest(cast(? as varchar[]),"
                + " cast(? as varchar[]), cast(? as varchar[]), cast(? as varchar[]), cast(? as varchar[]),"
                + " cast(? as varchar[]), cast(? as text[])) with ordinality"
                + " as d (provider, event_id, event_type, tenant, received_at, link_keys, body, n)),"
                + " e as (insert into billing_events (provider, event_id, event_type, tenant, received_at, status,"
                + " link_keys, body) select provider, event_id, event_type, tenant,"
                + " cast(received_at as timestamp with time zone), 'RECEIVED', link_keys, body from d order by n"
                + " on conflict (provider, event_id) do nothing returning id, provider, event_id, received_at),"
                + " w as (insert into work_items (kind, item_key, due_at, attempts, generation)"
                + " select cast(? as varchar), cast(id as varchar), received_at, 0, 0 from e)"
                + " select provider, event_id from e")) {
            for (int k = 0; k < 7; k++) {
                ps.setArray(k + 1, c.createArrayOf(k == 6 ? "text" : "varchar", cols[k]));
            }
            ps.setString(8, WORK);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1) + "\n" + rs.getString(2));
                }
            }
        }
        List<Boolean> duplicate = new ArrayList<>(n);
        for (Delivery d : ds) {
            // the first delivery of an id in the batch is the one recorded; a second one is its duplicate
            duplicate.add(!inserted.remove(d.provider() + "\n" + d.eventId()));
        }
        return duplicate;
    }

    private boolean recordOnH2(Delivery d) {
        try {
            db.tx(c -> {
                long id;
                try (var ps = c.prepareStatement("insert into billing_events (provider, event_id, event_type, tenant,"
                        + " received_at, status, link_keys, body) values (?, ?, ?, ?, ?, 'RECEIVED', ?, ?)",
                        new String[] {"id"})) {
                    Db.bind(ps, d.provider(), d.eventId(), d.eventType(), d.tenant(), d.receivedAt(), d.linkKeys(),
                            d.body());
                    ps.executeUpdate();
                    try (var keys = ps.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                WorkQueue.enqueueNew(c, WORK, Long.toString(id), d.receivedAt());
                return id;
            });
            return false;
        } catch (RuntimeException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
            return true; // a redelivery: already recorded, answered the same
        }
    }

    /** The payment objects an event names, as link keys to the cluster they bought. */
    static Set<String> links(BillingCommand c) {
        Set<String> keys = new LinkedHashSet<>();
        if (c.orderReference() != null) {
            keys.add("order:" + c.source() + ":" + c.orderReference());
        }
        if (c.subscriptionId() != null) {
            keys.add("sub:" + c.subscriptionId());
        }
        if (c.paymentIntentId() != null) {
            keys.add("pi:" + c.paymentIntentId());
        }
        if (c.clusterId() != null) {
            keys.add("cluster:" + c.clusterId());
        }
        if (c.tenant() != null && c.clusterName() != null) {
            keys.add("tc:" + c.tenant() + "/" + c.clusterName());
        }
        return keys;
    }
}
