package io.fulfillmenthub.billing.parse;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A billing webhook reduced to what the hub must do. Produced by {@link BillingEvents} from a body whose signature
 * was already verified.
 *
 * <p>How to act on it:
 * <ul>
 *   <li>{@link #rejectReason()} non-null: a permanent problem with the payload (required field missing or invalid).
 *       Record the event as rejected and answer 2xx (a retry would carry the same body). {@link #kind()} still says
 *       what the event would have meant, for the audit trail.</li>
 *   <li>otherwise {@link Kind#IGNORE}: record and acknowledge; {@link #ignoreReason()} says why.</li>
 *   <li>otherwise ORDER / RENEW / CANCEL: act, idempotently on {@link #source()} + {@link #eventId()}.</li>
 * </ul>
 *
 * <p>Correlation: an ORDER carries {@link #orderReference()} (Stripe checkout session id, or the generic
 * {@code order_id}) plus the Stripe link ids the later RENEW/CANCEL events will carry ({@link #subscriptionId()},
 * {@link #paymentIntentId()}, {@link #customerId()}); store them with the cluster. RENEW/CANCEL name the cluster by
 * {@link #clusterId()} when the sender knows it, otherwise by those link ids (or tenant + cluster name).
 *
 * @param kind            what to do
 * @param source          {@link BillingEvents#SOURCE_STRIPE} or {@link BillingEvents#SOURCE_STANDARD_WEBHOOKS}
 * @param eventId         Stripe {@code evt_...} id or the Standard Webhooks {@code webhook-id}: the dedupe key
 * @param eventType       the sender's event type, e.g. {@code checkout.session.completed}, {@code order.paid}
 * @param occurredAt      when the sender created the event (Stripe {@code created}, generic {@code timestamp}); may be null
 * @param livemode        Stripe {@code livemode}; null for generic events
 * @param tenant          tenant named by the payload
 * @param template        cluster template id
 * @param duration        ISO 8601 duration, upper-cased ({@code P30D})
 * @param clusterName     requested cluster name
 * @param nodeSets        node set name to size; empty when not given
 * @param orderReference  checkout session id (Stripe) or {@code order_id} (generic)
 * @param subscriptionId  Stripe subscription id ({@code sub_...})
 * @param paymentIntentId Stripe payment intent id ({@code pi_...})
 * @param chargeId        Stripe charge id ({@code ch_...})
 * @param customerId      Stripe customer id ({@code cus_...})
 * @param clusterId       the hub's cluster id when the sender knows it (generic {@code data.cluster_id}, Stripe
 *                        metadata {@code cluster_id})
 * @param periodEnd       end of the paid subscription period when the payload says it; may be null
 * @param ignoreReason    why an IGNORE needs no action; null otherwise
 * @param rejectReason    why the payload cannot be acted on; null when acceptable
 */
public record BillingCommand(
        Kind kind,
        String source,
        String eventId,
        String eventType,
        Instant occurredAt,
        Boolean livemode,
        String tenant,
        String template,
        String duration,
        String clusterName,
        Map<String, Integer> nodeSets,
        String orderReference,
        String subscriptionId,
        String paymentIntentId,
        String chargeId,
        String customerId,
        String clusterId,
        Instant periodEnd,
        String ignoreReason,
        String rejectReason) {

    /** What the hub does with the event. */
    public enum Kind {
        /** Order (provision) a cluster. */
        ORDER,
        /** Extend an existing cluster's expiry. */
        RENEW,
        /** End (release) an existing cluster. */
        CANCEL,
        /** Record only. */
        IGNORE
    }

    public BillingCommand {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        nodeSets = nodeSets == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(nodeSets));
    }

    /** A permanent problem: record as rejected, never retry, never 5xx. */
    public boolean rejected() {
        return rejectReason != null;
    }

    /** True for ORDER, RENEW or CANCEL without a reject reason. */
    public boolean actionable() {
        return kind != Kind.IGNORE && rejectReason == null;
    }

    public static Builder builder(String source) {
        return new Builder(source);
    }

    /** Mutable builder, handy in tests of downstream routes too. */
    public static final class Builder {
        private Kind kind = Kind.IGNORE;
        private final String source;
        private String eventId;
        private String eventType;
        private Instant occurredAt;
        private Boolean livemode;
        private String tenant;
        private String template;
        private String duration;
        private String clusterName;
        private final Map<String, Integer> nodeSets = new LinkedHashMap<>();
        private String orderReference;
        private String subscriptionId;
        private String paymentIntentId;
        private String chargeId;
        private String customerId;
        private String clusterId;
        private Instant periodEnd;
        private String ignoreReason;
        private String rejectReason;

        private Builder(String source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        public Builder kind(Kind v) { this.kind = v; return this; }
        public Builder eventId(String v) { this.eventId = v; return this; }
        public Builder eventType(String v) { this.eventType = v; return this; }
        public Builder occurredAt(Instant v) { this.occurredAt = v; return this; }
        public Builder livemode(Boolean v) { this.livemode = v; return this; }
        public Builder tenant(String v) { this.tenant = v; return this; }
        public Builder template(String v) { this.template = v; return this; }
        public Builder duration(String v) { this.duration = v; return this; }
        public Builder clusterName(String v) { this.clusterName = v; return this; }
        public Builder nodeSet(String name, int size) { this.nodeSets.put(name, size); return this; }
        public Builder orderReference(String v) { this.orderReference = v; return this; }
        public Builder subscriptionId(String v) { this.subscriptionId = v; return this; }
        public Builder paymentIntentId(String v) { this.paymentIntentId = v; return this; }
        public Builder chargeId(String v) { this.chargeId = v; return this; }
        public Builder customerId(String v) { this.customerId = v; return this; }
        public Builder clusterId(String v) { this.clusterId = v; return this; }
        public Builder periodEnd(Instant v) { this.periodEnd = v; return this; }
        public Builder ignoreReason(String v) { this.ignoreReason = v; return this; }

        /** Sets the reject reason unless one is already set (the first problem found is reported). */
        public Builder reject(String reason) {
            if (this.rejectReason == null) {
                this.rejectReason = reason;
            }
            return this;
        }

        Kind kind() { return kind; }
        String tenant() { return tenant; }
        String template() { return template; }
        String orderReference() { return orderReference; }
        String clusterId() { return clusterId; }
        String eventId() { return eventId; }

        public BillingCommand build() {
            return new BillingCommand(kind, source, eventId, eventType, occurredAt, livemode, tenant, template,
                    duration, clusterName, nodeSets, orderReference, subscriptionId, paymentIntentId, chargeId,
                    customerId, clusterId, periodEnd, kind == Kind.IGNORE ? ignoreReason : null, rejectReason);
        }
    }
}
