package io.fulfillmenthub.flows.sinks;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * The {@code slack-message-sink} Kamelet's request (Slack incoming webhook): {@code POST <webhook URL>} with
 * {@code {text, blocks}}. A text body becomes {@code text}; a JSON object body is sent as it is (it needs
 * {@code text}, the notification fallback, or {@code blocks}). Slack answers 200 {@code ok}; 429 with Retry-After.
 */
public class SlackMessage {

    public void request(Exchange ex) {
        String url = Outbound.prop(ex, "webhookUrl");
        Object body = ex.getMessage().getBody();
        Map<String, Object> message;
        if (body instanceof Map<?, ?>) {
            message = Outbound.objectBody(ex);
        } else {
            String text = ex.getMessage().getBody(String.class);
            if (text != null && text.trim().startsWith("{")) {
                message = Outbound.objectBody(ex);
            } else {
                message = new LinkedHashMap<>();
                message.put("text", text == null ? "" : text);
            }
        }
        if (message.get("text") == null && message.get("blocks") == null) {
            throw new IllegalArgumentException("a Slack message needs text or blocks");
        }
        String channel = Outbound.optional(ex, "username");
        if (channel != null) {
            message.putIfAbsent("username", channel);
        }
        Outbound.request(ex, "POST", url, null, message, Outbound.optional(ex, "timeoutMillis"));
        Outbound.forget(ex, "webhookUrl");
    }

    public void response(Exchange ex) {
        Outbound.reply(ex, Outbound.text(ex));
    }
}
