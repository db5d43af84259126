package io.fulfillmenthub.billing.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fulfillmenthub.billing.parse.BillingCommand.Builder;
import io.fulfillmenthub.billing.parse.BillingCommand.Kind;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns a verified billing webhook body into a {@link BillingCommand}. Verify the signature first
 * ({@code StripeSignature} / {@code StandardWebhooks}); this class trusts the content.
 *
 * <p>Only a body that is not a JSON object raises {@link MalformedBillingEventException} (answer 400). Everything
 * else, including missing required fields, yields a command: missing or invalid data sets
 * {@link BillingCommand#rejectReason()} (a permanent problem: record it as rejected, answer 2xx, never 5xx).
 * Unknown fields are ignored.
 *
 * <h2>Stripe</h2>
 * <ul>
 *   <li>{@code checkout.session.completed}: {@code payment_status} {@code paid} (or {@code no_payment_required},
 *       Stripe's guidance for trials and full discounts) -> ORDER; {@code unpaid} -> IGNORE "awaiting async
 *       payment". {@code checkout.session.async_payment_succeeded} -> ORDER. Order reference = session id; links =
 *       subscription, payment_intent, customer. Session {@code metadata}: {@code tenant}, {@code template}
 *       (both required), {@code duration}, {@code cluster_name}, {@code workers} (node set {@code workers}),
 *       {@code cluster_id}.</li>
 *   <li>{@code invoice.paid} with a subscription -> RENEW (linked by subscription id; metadata from the invoice,
 *       {@code subscription_details} or {@code parent.subscription_details} and line items); billing reason
 *       {@code subscription_create} -> IGNORE "initial invoice" (the checkout session already ordered).
 *       {@code periodEnd} = the latest {@code lines.data[].period.end}. The invoice's top-level
 *       {@code period_end} is deliberately not used: Stripe documents it as looking back one period on
 *       subscription invoices.</li>
 *   <li>{@code invoice.payment_failed} -> IGNORE (recorded); {@code checkout.session.async_payment_failed} ->
 *       IGNORE.</li>
 *   <li>{@code customer.subscription.deleted} -> CANCEL, linked by subscription id ({@code periodEnd} from
 *       {@code current_period_end}, or the latest {@code items.data[].current_period_end} in newer API
 *       versions).</li>
 *   <li>{@code charge.refunded} -> CANCEL, linked by payment_intent (and charge and customer ids, metadata).
 *       A partial refund ({@code refunded: false}) -> IGNORE.</li>
 *   <li>Any other type -> IGNORE.</li>
 * </ul>
 *
 * <h2>Generic (Standard Webhooks body)</h2>
 * {@code {"type": "order.paid"|"order.renewed"|"order.cancelled", "timestamp": RFC 3339, "data": {order_id,
 * tenant, template, duration, cluster_name, node_sets, cluster_id}}}; {@code node_sets} values may be
 * {@code {"size": n}} or a bare {@code n}; the US spelling {@code order.canceled} is accepted. The event id is the
 * {@code webhook-id} header. ORDER requires order_id, tenant and template; RENEW and CANCEL require order_id or
 * cluster_id.
 *
 * <p>Thread-safe.
 */
public final class BillingEvents {
    public static final String SOURCE_STRIPE = "stripe";
    public static final String SOURCE_STANDARD_WEBHOOKS = "standard-webhooks";

    static final String AWAITING_ASYNC_PAYMENT = "awaiting async payment";
    static final String INITIAL_INVOICE = "initial invoice";

    private static final Pattern ISO_DURATION = Pattern.compile(
            "P(?=\\d|T\\d)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(?:[.,]\\d+)?S)?)?");
    private static final Pattern NON_ZERO_DIGIT = Pattern.compile("[1-9]");
    private static final Pattern EPOCH_SECONDS = Pattern.compile("\\d{1,12}");
    private static final Pattern SMALL_COUNT = Pattern.compile("\\d{1,9}");

    private final ObjectReader reader;

    public BillingEvents() {
        this(new ObjectMapper());
    }

    /** Uses {@code mapper} only to read trees; trailing content after the JSON object is rejected. */
    public BillingEvents(ObjectMapper mapper) {
        this.reader = Objects.requireNonNull(mapper, "mapper").reader()
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    // ------------------------------------------------------------------------------------------------ Stripe

    /** Parses a Stripe event (the body of {@code POST /webhooks/billing/stripe}). */
    public BillingCommand parseStripe(byte[] rawBody) throws MalformedBillingEventException {
        JsonNode root = readObject(rawBody);
        Builder b = BillingCommand.builder(SOURCE_STRIPE)
                .eventId(text(root, "id"))
                .eventType(text(root, "type"))
                .occurredAt(epochSeconds(root.get("created")))
                .livemode(root.path("livemode").isBoolean() ? root.get("livemode").booleanValue() : null);
        if (b.eventId() == null) {
            b.reject("missing id");
        }
        String type = text(root, "type");
        if (type == null) {
            return b.ignoreReason("no event type").reject("missing type").build();
        }
        JsonNode obj = root.path("data").path("object");
        switch (type) {
            case "checkout.session.completed", "checkout.session.async_payment_succeeded" ->
                    checkoutSession(type, obj, b);
            case "checkout.session.async_payment_failed" -> {
                sessionLinks(obj, b);
                b.ignoreReason("async payment failed: no order");
            }
            case "invoice.paid" -> invoicePaid(obj, b);
            case "invoice.payment_failed" -> {
                invoiceLinks(obj, b);
                b.ignoreReason("payment failed: Stripe retries per the account's settings;"
                        + " if it gives up, customer.subscription.deleted cancels");
            }
            case "customer.subscription.deleted" -> subscriptionDeleted(obj, b);
            case "charge.refunded" -> chargeRefunded(obj, b);
            default -> b.ignoreReason("event type not handled");
        }
        return b.build();
    }

    private void checkoutSession(String type, JsonNode obj, Builder b) {
        if (!obj.isObject()) {
            b.kind(Kind.ORDER).reject("missing data.object");
            return;
        }
        sessionLinks(obj, b);
        b.orderReference(text(obj, "id"));
        String problem = applyMetadata(metadata(obj.get("metadata")), b);
        if ("checkout.session.completed".equals(type)) {
            String status = text(obj, "payment_status");
            if ("unpaid".equals(status)) {
                b.kind(Kind.IGNORE).ignoreReason(AWAITING_ASYNC_PAYMENT);
                return;
            }
            b.kind(Kind.ORDER);
            if (status == null) {
                b.reject("missing data.object.payment_status");
            } else if (!"paid".equals(status) && !"no_payment_required".equals(status)) {
                b.reject("unexpected data.object.payment_status '" + status + "'");
            }
        } else {
            b.kind(Kind.ORDER);
        }
        if (b.orderReference() == null) {
            b.reject("missing data.object.id");
        }
        if (b.tenant() == null) {
            b.reject("missing data.object.metadata.tenant");
        }
        if (b.template() == null) {
            b.reject("missing data.object.metadata.template");
        }
        if (problem != null) {
            b.reject(problem);
        }
    }

    private static void sessionLinks(JsonNode obj, Builder b) {
        b.subscriptionId(idOf(obj.get("subscription")))
                .paymentIntentId(idOf(obj.get("payment_intent")))
                .customerId(idOf(obj.get("customer")));
    }

    private void invoicePaid(JsonNode obj, Builder b) {
        if (!obj.isObject()) {
            b.kind(Kind.RENEW).reject("missing data.object");
            return;
        }
        String problem = invoiceLinks(obj, b);
        if (invoiceSubscription(obj) == null) {
            b.kind(Kind.IGNORE).ignoreReason("invoice is not for a subscription");
        } else if ("subscription_create".equals(text(obj, "billing_reason"))) {
            b.kind(Kind.IGNORE).ignoreReason(INITIAL_INVOICE);
        } else {
            b.kind(Kind.RENEW);
            if (problem != null) {
                b.reject(problem);
            }
        }
    }

    /** Sets invoice link ids, metadata and period end; returns the first metadata problem, if any. */
    private String invoiceLinks(JsonNode obj, Builder b) {
        b.subscriptionId(invoiceSubscription(obj))
                .customerId(idOf(obj.get("customer")))
                .paymentIntentId(idOf(obj.get("payment_intent")))
                .chargeId(idOf(obj.get("charge")));
        Instant periodEnd = null;
        Map<String, String> md = new LinkedHashMap<>();
        for (JsonNode line : obj.path("lines").path("data")) {
            md.putAll(metadata(line.get("metadata")));
            Instant end = epochSeconds(line.path("period").get("end"));
            if (end != null && (periodEnd == null || end.isAfter(periodEnd))) {
                periodEnd = end;
            }
        }
        b.periodEnd(periodEnd);
        md.putAll(metadata(obj.path("subscription_details").get("metadata")));
        md.putAll(metadata(obj.path("parent").path("subscription_details").get("metadata")));
        md.putAll(metadata(obj.get("metadata")));
        return applyMetadata(md, b);
    }

    /** {@code subscription} (string or expanded), or {@code parent.subscription_details.subscription} (API 2025+). */
    private static String invoiceSubscription(JsonNode obj) {
        String subscription = idOf(obj.get("subscription"));
        return subscription != null ? subscription
                : idOf(obj.path("parent").path("subscription_details").get("subscription"));
    }

    private void subscriptionDeleted(JsonNode obj, Builder b) {
        b.kind(Kind.CANCEL);
        if (!obj.isObject()) {
            b.reject("missing data.object");
            return;
        }
        String id = text(obj, "id");
        b.subscriptionId(id).customerId(idOf(obj.get("customer")));
        Instant periodEnd = epochSeconds(obj.get("current_period_end"));
        if (periodEnd == null) {
            for (JsonNode item : obj.path("items").path("data")) {
                Instant end = epochSeconds(item.get("current_period_end"));
                if (end != null && (periodEnd == null || end.isAfter(periodEnd))) {
                    periodEnd = end;
                }
            }
        }
        b.periodEnd(periodEnd);
        applyMetadata(metadata(obj.get("metadata")), b); // problems in optional fields do not block a cancel
        if (id == null) {
            b.reject("missing data.object.id");
        }
    }

    private void chargeRefunded(JsonNode obj, Builder b) {
        if (!obj.isObject()) {
            b.kind(Kind.CANCEL).reject("missing data.object");
            return;
        }
        String id = text(obj, "id");
        b.chargeId(id)
                .paymentIntentId(idOf(obj.get("payment_intent")))
                .customerId(idOf(obj.get("customer")));
        applyMetadata(metadata(obj.get("metadata")), b);
        JsonNode refunded = obj.get("refunded");
        if (refunded != null && refunded.isBoolean() && !refunded.booleanValue()) {
            b.kind(Kind.IGNORE).ignoreReason("partial refund");
            return;
        }
        b.kind(Kind.CANCEL);
        if (id == null) {
            b.reject("missing data.object.id");
        }
    }

    /**
     * Copies the hub's metadata keys into the builder. Returns the first problem with an optional value
     * (duration, workers), or null; callers decide whether it blocks the command.
     */
    private static String applyMetadata(Map<String, String> md, Builder b) {
        String problem = null;
        if (md.get("tenant") != null) {
            b.tenant(md.get("tenant"));
        }
        if (md.get("template") != null) {
            b.template(md.get("template"));
        }
        if (md.get("cluster_name") != null) {
            b.clusterName(md.get("cluster_name"));
        }
        if (md.get("cluster_id") != null) {
            b.clusterId(md.get("cluster_id"));
        }
        String duration = md.get("duration");
        if (duration != null) {
            String normalized = normalizeDuration(duration);
            if (normalized == null) {
                problem = "metadata.duration is not a positive ISO 8601 duration: '" + duration + "'";
            } else {
                b.duration(normalized);
            }
        }
        String workers = md.get("workers");
        if (workers != null) {
            Integer size = nonNegativeInt(workers);
            if (size == null) {
                problem = problem != null ? problem
                        : "metadata.workers is not a non-negative integer: '" + workers + "'";
            } else {
                b.nodeSet("workers", size);
            }
        }
        return problem;
    }

    // --------------------------------------------------------------------------------------- Standard Webhooks

    /**
     * Parses a generic billing event (the body of {@code POST /webhooks/billing}).
     *
     * @param webhookId the verified {@code webhook-id} header: the event id and dedupe key
     */
    public BillingCommand parseStandardWebhook(String webhookId, byte[] rawBody)
            throws MalformedBillingEventException {
        JsonNode root = readObject(rawBody);
        String type = text(root, "type");
        Builder b = BillingCommand.builder(SOURCE_STANDARD_WEBHOOKS)
                .eventId(webhookId == null || webhookId.isBlank() ? null : webhookId.strip())
                .eventType(type)
                .occurredAt(timestamp(root.get("timestamp")));
        if (b.eventId() == null) {
            b.reject("missing webhook-id");
        }
        if (type == null) {
            return b.ignoreReason("no event type").reject("missing type").build();
        }
        switch (type) {
            case "order.paid" -> b.kind(Kind.ORDER);
            case "order.renewed" -> b.kind(Kind.RENEW);
            case "order.cancelled", "order.canceled" -> b.kind(Kind.CANCEL);
            default -> b.kind(Kind.IGNORE).ignoreReason("event type not handled");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            if (b.kind() != Kind.IGNORE) {
                b.reject("missing data");
            }
            return b.build();
        }
        b.orderReference(text(data, "order_id"))
                .tenant(text(data, "tenant"))
                .template(text(data, "template"))
                .clusterName(text(data, "cluster_name"))
                .clusterId(text(data, "cluster_id"));
        String problem = null;
        String duration = text(data, "duration");
        if (duration != null) {
            String normalized = normalizeDuration(duration);
            if (normalized == null) {
                problem = "data.duration is not a positive ISO 8601 duration: '" + duration + "'";
            } else {
                b.duration(normalized);
            }
        }
        JsonNode nodeSets = data.get("node_sets");
        if (nodeSets != null && !nodeSets.isNull()) {
            if (!nodeSets.isObject()) {
                problem = problem != null ? problem : "data.node_sets is not an object";
            } else {
                for (Map.Entry<String, JsonNode> e : nodeSets.properties()) {
                    JsonNode v = e.getValue();
                    JsonNode sizeNode = v.isObject() ? v.get("size") : v;
                    Integer size = sizeNode == null || sizeNode.isContainerNode() ? null
                            : nonNegativeInt(sizeNode.asText());
                    if (size == null) {
                        problem = problem != null ? problem
                                : "data.node_sets." + e.getKey() + ".size is not a non-negative integer";
                    } else {
                        b.nodeSet(e.getKey(), size);
                    }
                }
            }
        }
        switch (b.kind()) {
            case ORDER -> {
                if (b.orderReference() == null) {
                    b.reject("missing data.order_id");
                }
                if (b.tenant() == null) {
                    b.reject("missing data.tenant");
                }
                if (b.template() == null) {
                    b.reject("missing data.template");
                }
                if (problem != null) {
                    b.reject(problem);
                }
            }
            case RENEW -> {
                if (b.orderReference() == null && b.clusterId() == null) {
                    b.reject("missing data.order_id or data.cluster_id");
                }
                if (problem != null) {
                    b.reject(problem);
                }
            }
            case CANCEL -> {
                if (b.orderReference() == null && b.clusterId() == null) {
                    b.reject("missing data.order_id or data.cluster_id");
                }
            }
            default -> {
            }
        }
        return b.build();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private JsonNode readObject(byte[] rawBody) throws MalformedBillingEventException {
        if (rawBody == null || rawBody.length == 0) {
            throw new MalformedBillingEventException("empty body");
        }
        JsonNode root;
        try {
            root = reader.readTree(rawBody);
        } catch (JsonProcessingException e) {
            throw new MalformedBillingEventException("body is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedBillingEventException("body is not valid JSON", e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedBillingEventException("body is not a JSON object");
        }
        return root;
    }

    /** A scalar field as trimmed text; null when absent, null, blank or not a scalar. */
    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isValueNode() || v.isNull()) {
            return null;
        }
        String s = v.asText().strip();
        return s.isEmpty() ? null : s;
    }

    /** A Stripe reference: either the id string or an expanded object's {@code id}. */
    static String idOf(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isObject()) {
            return text(v, "id");
        }
        if (v.isTextual()) {
            String s = v.asText().strip();
            return s.isEmpty() ? null : s;
        }
        return null;
    }

    static Map<String, String> metadata(JsonNode node) {
        Map<String, String> md = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                JsonNode v = e.getValue();
                if (v.isValueNode() && !v.isNull() && !v.asText().isBlank()) {
                    md.put(e.getKey(), v.asText().strip());
                }
            }
        }
        return md;
    }

    static Instant epochSeconds(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            // beyond 12 digits is no plausible time (and would overflow Instant)
            return v.canConvertToLong() && v.longValue() >= 0 && v.longValue() < 1_000_000_000_000L
                    ? Instant.ofEpochSecond(v.longValue()) : null;
        }
        if (v.isTextual() && EPOCH_SECONDS.matcher(v.asText().strip()).matches()) {
            return Instant.ofEpochSecond(Long.parseLong(v.asText().strip()));
        }
        return null;
    }

    /** RFC 3339 text or unix seconds; null when absent or unparseable (the time is informational). */
    static Instant timestamp(JsonNode v) {
        Instant epoch = epochSeconds(v);
        if (epoch != null || v == null || !v.isTextual()) {
            return epoch;
        }
        String text = v.asText().strip();
        Instant common = rfc3339(text);
        if (common != null) {
            return common;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }

    /**
     * The usual form of an RFC 3339 time ({@code 2026-11-28T07:00:58.123Z}, {@code ...+01:00}) read by hand: the
     * general parser costs a few percent of a webhook's CPU. Null for any other text, which the general parser then
     * reads (or refuses) as before.
     */
    static Instant rfc3339(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':') {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (t.charAt(i) == '.') {
            int digits = 0;
            for (i++; i < n && digits < 9 && Character.isDigit(t.charAt(i)); i++, digits++) {
                nanos = nanos * 10 + (t.charAt(i) - '0');
            }
            if (digits == 0) {
                return null;
            }
            for (int k = digits; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && t.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
            int hh = digits(t, i + 1, 2);
            int mm = digits(t, i + 4, 2);
            if (hh < 0 || mm < 0) {
                return null;
            }
            offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
        } else {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nanos,
                    java.time.ZoneOffset.ofTotalSeconds(offsetSeconds)).toInstant();
        } catch (DateTimeException e) {
            return null; // out of range: the general parser decides
        }
    }

    /** The {@code len} decimal digits at {@code from} as a number, or -1 when one is not a digit. */
    private static int digits(String t, int from, int len) {
        int v = 0;
        for (int k = from; k < from + len; k++) {
            char ch = t.charAt(k);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    /** Upper-cased ISO 8601 duration when valid and non-zero, else null. */
    static String normalizeDuration(String s) {
        String d = s.strip().toUpperCase(Locale.ROOT);
        return ISO_DURATION.matcher(d).matches() && NON_ZERO_DIGIT.matcher(d).find() ? d : null;
    }

    static Integer nonNegativeInt(String s) {
        String t = s.strip();
        if (!SMALL_COUNT.matcher(t).matches()) {
            return null;
        }
        return Integer.parseInt(t);
    }
}
