package io.fulfillmenthub.flows.sinks;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import io.fulfillmenthub.security.signing.StandardWebhooks;
import org.apache.camel.Exchange;

/**
 * The {@code webhook-sink} Kamelet's request: {@code POST <url>} of the body, signed as Standard Webhooks v1 prescribe
 * ({@code webhook-id} = the {@code WebhookId} header or a new id, {@code webhook-timestamp},
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>} with the {@code whsec_} secret).
 */
public class SignedWebhook {

    public void request(Exchange ex) {
        String url = Outbound.prop(ex, "url");
        String secret = Outbound.prop(ex, "secret");
        String id = Outbound.header(ex, "WebhookId");
        if (id == null || id.isBlank()) {
            id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        }
        String contentType = Outbound.header(ex, "WebhookContentType");
        Object in = ex.getMessage().getBody();
        String body = in instanceof java.util.Map<?, ?> ? Outbound.write(in) : ex.getMessage().getBody(String.class);
        if (body == null) {
            body = "";
        }
        long ts = Instant.now().getEpochSecond();
        String signature = StandardWebhooks.sign(secret, id, ts, body.getBytes(StandardCharsets.UTF_8));
        Outbound.request(ex, "POST", url, null, body, Outbound.optional(ex, "timeoutMillis"));
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType == null ? "application/json" : contentType);
        ex.getMessage().setHeader(StandardWebhooks.HEADER_ID, id);
        ex.getMessage().setHeader(StandardWebhooks.HEADER_TIMESTAMP, Long.toString(ts));
        ex.getMessage().setHeader(StandardWebhooks.HEADER_SIGNATURE, signature);
        Outbound.forget(ex, "secret");
    }

    public void response(Exchange ex) {
        Outbound.reply(ex, Outbound.text(ex));
    }
}
