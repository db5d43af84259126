package io.fulfillmenthub.flows.sinks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * The {@code pagerduty-event-sink} Kamelet's request and answer (PagerDuty Events API v2): {@code POST <url>/v2/enqueue}
 * with the body's event ({@code event_action} trigger|acknowledge|resolve, {@code dedup_key}, {@code payload}) and the
 * Kamelet's {@code routing_key}. PagerDuty answers 202 {@code {status, message, dedup_key}}; 400 means the event will
 * never be accepted (not retried), 429 and 5xx are retried by the caller.
 */
public class PagerDutyEvent {

    static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");
    static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

    @SuppressWarnings("unchecked")
    public void request(Exchange ex) {
        String base = Outbound.trimSlash(Outbound.prop(ex, "url"));
        Map<String, Object> event = Outbound.objectBody(ex);
        Object action = event.getOrDefault("event_action", "trigger");
        if (!ACTIONS.contains(String.valueOf(action))) {
            throw new IllegalArgumentException("event_action must be trigger, acknowledge or resolve");
        }
        event.put("event_action", action);
        if ("trigger".equals(action)) {
            Map<String, Object> payload = event.get("payload") instanceof Map<?, ?> p
                    ? new LinkedHashMap<>((Map<String, Object>) p) : null;
            if (payload == null || payload.get("summary") == null || payload.get("source") == null) {
                throw new IllegalArgumentException("a trigger needs payload.summary and payload.source");
            }
            String summary = payload.get("summary").toString();
            payload.put("summary", summary.length() > 1024 ? summary.substring(0, 1024) : summary);
            Object severity = payload.getOrDefault("severity", "error");
            payload.put("severity", SEVERITIES.contains(String.valueOf(severity)) ? severity : "error");
            event.put("payload", payload);
        } else if (event.get("dedup_key") == null) {
            throw new IllegalArgumentException(action + " needs a dedup_key");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("routing_key", Outbound.prop(ex, "routingKey"));
        body.putAll(event);
        body.put("routing_key", Outbound.prop(ex, "routingKey"));
        Outbound.request(ex, "POST", base + "/v2/enqueue", null, body, Outbound.optional(ex, "timeoutMillis"));
        Outbound.forget(ex, "routingKey");
    }

    public void response(Exchange ex) {
        Outbound.reply(ex, Outbound.answer(ex));
    }
}
