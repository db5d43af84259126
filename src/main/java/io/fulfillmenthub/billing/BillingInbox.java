package io.fulfillmenthub.billing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        boolean duplicate = false;
        String linkKeys = String.join(" ", links(cmd));
        String body = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (db.isPostgres()) {
                // one statement, one round trip, committed on its own (auto-commit): the event and its queue item
                // together or neither; the id is fresh, so the item cannot be queued already
                db.read(c -> Db.update(c, "with e as (insert into billing_events (provider, event_id, event_type, tenant,"
                        + " received_at, status, link_keys, body) values (?, ?, ?, ?, ?, 'RECEIVED', ?, ?) returning id)"
                        + " insert into work_items (kind, item_key, due_at, attempts, generation)"
                        + " select cast(? as varchar), cast(id as varchar), cast(? as timestamp with time zone), 0, 0 from e",
                        provider, cmd.eventId(), cmd.eventType(), cmd.tenant(), now, linkKeys, body, WORK, now));
                Wakeups.signal(WORK);
            } else {
                db.tx(c -> {
                    long id;
                    try (var ps = c.prepareStatement("insert into billing_events (provider, event_id, event_type, tenant,"
                            + " received_at, status, link_keys, body) values (?, ?, ?, ?, ?, 'RECEIVED', ?, ?)",
                            new String[] {"id"})) {
                        Db.bind(ps, provider, cmd.eventId(), cmd.eventType(), cmd.tenant(), now, linkKeys, body);
                        ps.executeUpdate();
                        try (var keys = ps.getGeneratedKeys()) {
                            keys.next();
                            id = keys.getLong(1);
                        }
                    }
                    WorkQueue.enqueueNew(c, WORK, Long.toString(id), now);
                    return id;
                });
            }
        } catch (RuntimeException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
            duplicate = true; // a redelivery: already recorded, answered the same
        }
        String dup = Boolean.toString(duplicate);
        accepted.computeIfAbsent(provider + "/" + dup, k -> metrics.counter("hub_billing_webhooks_total",
                "provider", provider, "duplicate", dup)).increment();
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("received", true);
        ack.put("event_id", cmd.eventId());
        ack.put("duplicate", duplicate);
        Api.json(ex, 200, ack);
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
