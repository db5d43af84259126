package io.fulfillmenthub.billing.parse;

import io.fulfillmenthub.testsupport.Samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fulfillmenthub.billing.parse.BillingCommand.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BillingEventsTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    final BillingEvents events = new BillingEvents();

    /** A sample, edited as a JSON tree. */
    static byte[] sample(String path, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(Samples.bytes(path));
        edit.accept(root);
        return MAPPER.writeValueAsBytes(root);
    }

    static ObjectNode object(ObjectNode root) {
        return (ObjectNode) root.path("data").path("object");
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------- Stripe samples

    @Test
    void stripeCheckoutSessionCompletedOrders() throws Exception {
        BillingCommand c = events.parseStripe(Samples.bytes("stripe/checkout.session.completed.json"));
        assertEquals(Kind.ORDER, c.kind());
        assertTrue(c.actionable());
        assertNull(c.rejectReason());
        assertNull(c.ignoreReason());
        assertEquals("stripe", c.source());
        assertEquals("evt_1QxYz2AbCdEfGhIjKlMnOpQr", c.eventId());
        assertEquals("checkout.session.completed", c.eventType());
        assertEquals(Instant.ofEpochSecond(1764201600L), c.occurredAt());
        assertEquals(Boolean.FALSE, c.livemode());
        assertEquals("acme", c.tenant());
        assertEquals("ocp-4-17-gpu", c.template());
        assertEquals("P30D", c.duration());
        assertEquals("ml-training", c.clusterName());
        assertEquals(Map.of("workers", 3), c.nodeSets());
        assertEquals("cs_test_a1B2c3D4e5F6g7H8i9J0", c.orderReference());
        assertEquals("sub_1QxYz0AbCdEfGhIjKlMn", c.subscriptionId());
        assertEquals("cus_R1s2T3u4V5w6X7", c.customerId());
        assertNull(c.paymentIntentId());
        assertNull(c.clusterId());
        assertNull(c.periodEnd());
    }

    @Test
    void stripeInvoicePaidRenews() throws Exception {
        BillingCommand c = events.parseStripe(Samples.bytes("stripe/invoice.paid.json"));
        assertEquals(Kind.RENEW, c.kind());
        assertTrue(c.actionable());
        assertEquals("evt_1QyAb3AbCdEfGhIjKlMnOpQs", c.eventId());
        assertEquals("sub_1QxYz0AbCdEfGhIjKlMn", c.subscriptionId());
        assertEquals("cus_R1s2T3u4V5w6X7", c.customerId());
        assertEquals("acme", c.tenant());
        assertEquals("ml-training", c.clusterName());
        assertEquals("P30D", c.duration());
        // The sample has no line items; the invoice's own period_end looks back one period and is not used.
        assertNull(c.periodEnd());
        assertNull(c.orderReference());
    }

    @Test
    void stripeChargeRefundedCancels() throws Exception {
        BillingCommand c = events.parseStripe(Samples.bytes("stripe/charge.refunded.json"));
        assertEquals(Kind.CANCEL, c.kind());
        assertTrue(c.actionable());
        assertEquals("evt_1QyCd4AbCdEfGhIjKlMnOpQt", c.eventId());
        assertEquals("ch_3QxYz1AbCdEfGhIj0a1b2c3d", c.chargeId());
        assertEquals("cus_R1s2T3u4V5w6X7", c.customerId());
        assertEquals("acme", c.tenant());
        assertEquals("ml-training", c.clusterName());
        assertNull(c.paymentIntentId());
    }

    // ------------------------------------------------------------------------------------------- Stripe rules

    @Test
    void unpaidCheckoutAwaitsAsyncPayment() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/checkout.session.completed.json",
                r -> object(r).put("payment_status", "unpaid")));
        assertEquals(Kind.IGNORE, c.kind());
        assertEquals("awaiting async payment", c.ignoreReason());
        assertFalse(c.rejected());
        assertEquals("cs_test_a1B2c3D4e5F6g7H8i9J0", c.orderReference());
    }

    @Test
    void asyncPaymentSucceededOrders() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/checkout.session.completed.json", r -> {
            r.put("type", "checkout.session.async_payment_succeeded");
            object(r).put("payment_status", "paid").put("payment_intent", "pi_123");
        }));
        assertEquals(Kind.ORDER, c.kind());
        assertTrue(c.actionable());
        assertEquals("pi_123", c.paymentIntentId());
    }

    @Test
    void noPaymentRequiredOrders() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/checkout.session.completed.json",
                r -> object(r).put("payment_status", "no_payment_required")));
        assertEquals(Kind.ORDER, c.kind());
        assertTrue(c.actionable());
    }

    @Test
    void expandedReferencesAndClusterIdMetadata() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/checkout.session.completed.json", r -> {
            ObjectNode o = object(r);
            o.putObject("customer").put("id", "cus_X").put("email", "a@b.c");
            o.putObject("subscription").put("id", "sub_X");
            ((ObjectNode) o.get("metadata")).put("cluster_id", "cl-42");
        }));
        assertEquals("cus_X", c.customerId());
        assertEquals("sub_X", c.subscriptionId());
        assertEquals("cl-42", c.clusterId());
    }

    @Test
    void orderMissingTenantIsRejectedNotThrown() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/checkout.session.completed.json",
                r -> ((ObjectNode) object(r).get("metadata")).remove("tenant")));
        assertEquals(Kind.ORDER, c.kind());
        assertTrue(c.rejected());
        assertFalse(c.actionable());
        assertEquals("missing data.object.metadata.tenant", c.rejectReason());
    }

    @Test
    void orderWithoutMetadataIsRejected() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/checkout.session.completed.json",
                r -> object(r).remove("metadata")));
        assertTrue(c.rejected());
        assertTrue(c.rejectReason().contains("tenant"), c.rejectReason());
    }

    @Test
    void invalidWorkersOrDurationIsRejected() throws Exception {
        BillingCommand w = events.parseStripe(sample("stripe/checkout.session.completed.json",
                r -> ((ObjectNode) object(r).get("metadata")).put("workers", "three")));
        assertEquals("metadata.workers is not a non-negative integer: 'three'", w.rejectReason());
        BillingCommand d = events.parseStripe(sample("stripe/checkout.session.completed.json",
                r -> ((ObjectNode) object(r).get("metadata")).put("duration", "30 days")));
        assertTrue(d.rejectReason().startsWith("metadata.duration"), d.rejectReason());
        BillingCommand lower = events.parseStripe(sample("stripe/checkout.session.completed.json",
                r -> ((ObjectNode) object(r).get("metadata")).put("duration", "pt12h")));
        assertEquals("PT12H", lower.duration());
        assertTrue(lower.actionable());
    }

    @Test
    void unexpectedPaymentStatusIsRejected() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/checkout.session.completed.json",
                r -> object(r).remove("payment_status")));
        assertEquals(Kind.ORDER, c.kind());
        assertEquals("missing data.object.payment_status", c.rejectReason());
    }

    @Test
    void initialInvoiceIsIgnored() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/invoice.paid.json",
                r -> object(r).put("billing_reason", "subscription_create")));
        assertEquals(Kind.IGNORE, c.kind());
        assertEquals("initial invoice", c.ignoreReason());
        assertEquals("sub_1QxYz0AbCdEfGhIjKlMn", c.subscriptionId());
    }

    @Test
    void invoiceWithoutSubscriptionIsIgnored() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/invoice.paid.json", r -> object(r).remove("subscription")));
        assertEquals(Kind.IGNORE, c.kind());
        assertEquals("invoice is not for a subscription", c.ignoreReason());
    }

    @Test
    void invoiceNewerApiShapeLinesAndClusterId() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/invoice.paid.json", r -> {
            ObjectNode o = object(r);
            o.remove("subscription");
            o.remove("subscription_details");
            ObjectNode details = o.putObject("parent").put("type", "subscription_details")
                    .putObject("subscription_details");
            details.put("subscription", "sub_NEW");
            details.putObject("metadata").put("cluster_id", "cl-7").put("tenant", "acme");
            ObjectNode line = o.putObject("lines").putArray("data").addObject();
            line.putObject("period").put("start", 1766793600L).put("end", 1769472000L);
        }));
        assertEquals(Kind.RENEW, c.kind());
        assertTrue(c.actionable());
        assertEquals("sub_NEW", c.subscriptionId());
        assertEquals("cl-7", c.clusterId());
        assertEquals(Instant.ofEpochSecond(1769472000L), c.periodEnd());
    }

    @Test
    void invoicePaymentFailedIsRecordedIgnore() throws Exception {
        BillingCommand c = events.parseStripe(sample("stripe/invoice.paid.json", r -> r.put("type", "invoice.payment_failed")));
        assertEquals(Kind.IGNORE, c.kind());
        assertFalse(c.rejected());
        assertTrue(c.ignoreReason().startsWith("payment failed"), c.ignoreReason());
        assertEquals("sub_1QxYz0AbCdEfGhIjKlMn", c.subscriptionId());
        assertEquals("evt_1QyAb3AbCdEfGhIjKlMnOpQs", c.eventId());
    }

    @Test
    void subscriptionDeletedCancels() throws Exception {
        String body = """
                {"id":"evt_del","object":"event","type":"customer.subscription.deleted","created":1767000000,
                 "livemode":true,"future_field":{"x":1},
                 "data":{"object":{"id":"sub_1QxYz0AbCdEfGhIjKlMn","object":"subscription","customer":"cus_1",
                   "status":"canceled","metadata":{"cluster_id":"cl-9","duration":"garbage"},
                   "items":{"data":[{"id":"si_1","current_period_end":1769472000}]}}}}
                """;
        BillingCommand c = events.parseStripe(utf8(body));
        assertEquals(Kind.CANCEL, c.kind());
        assertTrue(c.actionable(), "a bad optional field must not block a cancel");
        assertEquals("sub_1QxYz0AbCdEfGhIjKlMn", c.subscriptionId());
        assertEquals("cl-9", c.clusterId());
        assertEquals(Boolean.TRUE, c.livemode());
        assertEquals(Instant.ofEpochSecond(1769472000L), c.periodEnd());
    }

    @Test
    void chargeRefundLinksPaymentIntentAndPartialRefundIsIgnored() throws Exception {
        BillingCommand full = events.parseStripe(sample("stripe/charge.refunded.json",
                r -> object(r).put("payment_intent", "pi_abc")));
        assertEquals(Kind.CANCEL, full.kind());
        assertEquals("pi_abc", full.paymentIntentId());
        BillingCommand partial = events.parseStripe(sample("stripe/charge.refunded.json",
                r -> object(r).put("refunded", false).put("amount_refunded", 100)));
        assertEquals(Kind.IGNORE, partial.kind());
        assertEquals("partial refund", partial.ignoreReason());
    }

    @Test
    void absurdCreatedIsNullNotAnError() throws Exception {
        BillingCommand c = events.parseStripe(utf8(
                "{\"id\":\"evt_1\",\"type\":\"x\",\"created\":99999999999999999999999}"));
        assertNull(c.occurredAt());
        BillingCommand d = events.parseStripe(utf8("{\"id\":\"evt_1\",\"type\":\"x\",\"created\":9223372036854775807}"));
        assertNull(d.occurredAt());
    }

    @Test
    void otherTypesAreIgnored() throws Exception {
        BillingCommand c = events.parseStripe(utf8("{\"id\":\"evt_1\",\"type\":\"customer.created\",\"data\":{\"object\":{}}}"));
        assertEquals(Kind.IGNORE, c.kind());
        assertEquals("event type not handled", c.ignoreReason());
        assertFalse(c.rejected());
    }

    @Test
    void missingIdOrTypeOrObjectIsRejected() throws Exception {
        assertEquals("missing id", events.parseStripe(utf8("{\"type\":\"customer.created\"}")).rejectReason());
        BillingCommand noType = events.parseStripe(utf8("{\"id\":\"evt_1\"}"));
        assertEquals(Kind.IGNORE, noType.kind());
        assertEquals("missing type", noType.rejectReason());
        BillingCommand noObject = events.parseStripe(utf8("{\"id\":\"evt_1\",\"type\":\"charge.refunded\"}"));
        assertEquals(Kind.CANCEL, noObject.kind());
        assertEquals("missing data.object", noObject.rejectReason());
    }

    @Test
    void malformedJsonThrows() {
        for (String bad : new String[] {"", "{", "not json", "[1,2]", "\"text\"", "{\"id\":1} trailing", "null"}) {
            assertThrows(MalformedBillingEventException.class, () -> events.parseStripe(utf8(bad)), bad);
            assertThrows(MalformedBillingEventException.class, () -> events.parseStandardWebhook("msg_1", utf8(bad)), bad);
        }
        assertThrows(MalformedBillingEventException.class, () -> events.parseStripe(null));
    }

    // -------------------------------------------------------------------------------------- Standard Webhooks

    @Test
    void genericOrderPaidSample() throws Exception {
        BillingCommand c = events.parseStandardWebhook("msg_2LJ5Ug", Samples.bytes("standard-webhooks/order.paid.json"));
        assertEquals(Kind.ORDER, c.kind());
        assertTrue(c.actionable());
        assertEquals("standard-webhooks", c.source());
        assertEquals("msg_2LJ5Ug", c.eventId());
        assertEquals("order.paid", c.eventType());
        assertEquals(Instant.parse("2026-11-26T12:00:00Z"), c.occurredAt());
        assertEquals("ord_7f3a9c2e", c.orderReference());
        assertEquals("acme", c.tenant());
        assertEquals("ocp-4-17-small", c.template());
        assertEquals("P30D", c.duration());
        assertEquals("dev-sandbox", c.clusterName());
        assertEquals(Map.of("workers", 2), c.nodeSets());
        assertNull(c.clusterId());
        assertNull(c.livemode());
    }

    @Test
    void genericRenewAndCancel() throws Exception {
        BillingCommand renew = events.parseStandardWebhook("msg_r", utf8("""
                {"type":"order.renewed","timestamp":"2026-12-26T12:00:00+01:00",
                 "data":{"order_id":"ord_7f3a9c2e","duration":"P30D","cluster_id":"cl-1","extra":true}}"""));
        assertEquals(Kind.RENEW, renew.kind());
        assertTrue(renew.actionable());
        assertEquals("cl-1", renew.clusterId());
        assertEquals(Instant.parse("2026-12-26T11:00:00Z"), renew.occurredAt());
        for (String type : new String[] {"order.cancelled", "order.canceled"}) {
            BillingCommand cancel = events.parseStandardWebhook("msg_c", utf8(
                    "{\"type\":\"" + type + "\",\"timestamp\":1767000000,\"data\":{\"cluster_id\":\"cl-1\"}}"));
            assertEquals(Kind.CANCEL, cancel.kind(), type);
            assertTrue(cancel.actionable());
            assertEquals(Instant.ofEpochSecond(1767000000L), cancel.occurredAt());
        }
    }

    @Test
    void genericMissingFieldsAreRejected() throws Exception {
        BillingCommand noTemplate = events.parseStandardWebhook("msg_1", sample("standard-webhooks/order.paid.json",
                r -> ((ObjectNode) r.get("data")).remove("template")));
        assertEquals("missing data.template", noTemplate.rejectReason());
        BillingCommand noData = events.parseStandardWebhook("msg_1", utf8("{\"type\":\"order.paid\"}"));
        assertEquals("missing data", noData.rejectReason());
        BillingCommand noLink = events.parseStandardWebhook("msg_1", utf8("{\"type\":\"order.cancelled\",\"data\":{}}"));
        assertEquals("missing data.order_id or data.cluster_id", noLink.rejectReason());
        BillingCommand noId = events.parseStandardWebhook(null, Samples.bytes("standard-webhooks/order.paid.json"));
        assertEquals("missing webhook-id", noId.rejectReason());
        BillingCommand badSize = events.parseStandardWebhook("msg_1", sample("standard-webhooks/order.paid.json",
                r -> ((ObjectNode) r.get("data")).putObject("node_sets").putObject("workers").put("size", -1)));
        assertEquals("data.node_sets.workers.size is not a non-negative integer", badSize.rejectReason());
    }

    @Test
    void genericNodeSetShorthandAndGarbageTimestamp() throws Exception {
        BillingCommand c = events.parseStandardWebhook("msg_1", sample("standard-webhooks/order.paid.json", r -> {
            r.put("timestamp", "yesterday");
            ((ObjectNode) r.get("data")).putObject("node_sets").put("workers", 4).putObject("gpu").put("size", 1);
        }));
        assertTrue(c.actionable());
        assertEquals(Map.of("workers", 4, "gpu", 1), c.nodeSets());
        assertNull(c.occurredAt());
    }

    @Test
    void genericUnknownTypeIgnored() throws Exception {
        BillingCommand c = events.parseStandardWebhook("msg_1", utf8("{\"type\":\"order.refund_requested\",\"data\":{}}"));
        assertEquals(Kind.IGNORE, c.kind());
        assertFalse(c.rejected());
    }

    @Test
    void durationValidation() {
        assertEquals("P30D", BillingEvents.normalizeDuration(" p30d "));
        assertEquals("P1DT12H", BillingEvents.normalizeDuration("P1DT12H"));
        assertEquals("P1Y2M", BillingEvents.normalizeDuration("P1Y2M"));
        for (String bad : new String[] {"P", "PT", "P1DT", "30D", "P0D", "P-1D", "P1.5D", "P1H"}) {
            assertNull(BillingEvents.normalizeDuration(bad), bad);
        }
    }

    @Test
    void commonTimestampsAreReadByHandExactlyAsTheGeneralParserReadsThem() {
        for (String t : new String[] {"2026-11-28T07:00:58Z", "2026-11-28T07:00:58.1Z", "2026-11-28T07:00:58.123Z",
                "2026-11-28T07:00:58.123456789Z", "2024-02-29T23:59:59.999+01:00", "2026-01-01T00:00:00-05:30",
                "1970-01-01T00:00:00+00:00", "2026-12-31T23:59:59.5-14:00"}) {
            assertEquals(java.time.OffsetDateTime.parse(t).toInstant(), BillingEvents.rfc3339(t), t);
        }
        // anything else is left to the general parser: lower case, no seconds, bad dates and offsets, junk
        for (String t : new String[] {"2026-11-28t07:00:58z", "2026-11-28T07:00Z", "2026-02-30T07:00:58Z",
                "2026-11-28T24:00:58Z", "2026-11-28T07:00:58.Z", "2026-11-28T07:00:58.1234567891Z",
                "2026-11-28T07:00:58+19:00", "2026-11-28T07:00:58+0100", "2026-11-28 07:00:58Z", "2026-1a-28T07:00:58Z",
                "2026-11-28T07:00:58", "x"}) {
            assertNull(BillingEvents.rfc3339(t), t);
        }
        ObjectMapper m = new ObjectMapper();
        assertEquals(Instant.parse("2026-11-28T06:00:58Z"),
                BillingEvents.timestamp(m.getNodeFactory().textNode("2026-11-28T07:00:58+01:00")));
        assertEquals(Instant.parse("2026-11-28T07:00:58Z"),
                BillingEvents.timestamp(m.getNodeFactory().textNode("2026-11-28t07:00:58z")), "the general parser");
        assertNull(BillingEvents.timestamp(m.getNodeFactory().textNode("2026-02-30T07:00:58Z")));
    }
}
