package io.fulfillmenthub.billing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import io.fulfillmenthub.billing.parse.BillingEvents;
import org.junit.jupiter.api.Test;

/**
 * A renewal or cancellation that comes before its order waits (PENDING) and is queued again when an order naming the
 * same payment object is applied; until session 11 every applied order queued every waiting event again, so each
 * renewal of an order the hub never saw was re-applied once per order of every other customer.
 */
class PendingEventsTest {

    final BillingEvents parser = new BillingEvents();

    Set<String> links(String id, String json) throws Exception {
        return BillingInbox.links(parser.parseStandardWebhook(id, json.getBytes()));
    }

    @Test
    void anOrderWakesTheEventsThatNameItsPaymentObjectsOnly() throws Exception {
        Set<String> order = links("msg_1", "{\"type\":\"order.paid\",\"data\":{\"order_id\":\"ord_1\",\"tenant\":\"demo\","
                + "\"template\":\"ocp-small\",\"cluster_name\":\"c1\"}}");
        String sameOrder = String.join(" ", links("msg_2", "{\"type\":\"order.renewed\",\"data\":{\"order_id\":\"ord_1\"}}"));
        String sameName = String.join(" ", links("msg_3", "{\"type\":\"order.cancelled\",\"data\":{\"tenant\":\"demo\","
                + "\"cluster_name\":\"c1\"}}"));
        String other = String.join(" ", links("msg_4", "{\"type\":\"order.renewed\",\"data\":{\"order_id\":\"ord_10\","
                + "\"tenant\":\"demo\",\"cluster_name\":\"c10\"}}"));
        assertTrue(BillingProcessor.waitsFor(sameOrder, order));
        assertTrue(BillingProcessor.waitsFor(sameName, order));
        assertFalse(BillingProcessor.waitsFor(other, order), "ord_10 is not ord_1, c10 is not c1");
        assertFalse(BillingProcessor.waitsFor("", order));
        assertFalse(BillingProcessor.waitsFor(null, order));
    }

    @Test
    void keysAreComparedWhole() {
        assertFalse(BillingProcessor.waitsFor("order:standard:ord_12 tc:demo/c", Set.of("order:standard:ord_1")));
        assertTrue(BillingProcessor.waitsFor("order:standard:ord_12 tc:demo/c", Set.of("tc:demo/c")));
    }
}
