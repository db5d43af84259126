package io.fulfillmenthub.flows.sinks;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * The {@code servicenow-incident-sink} Kamelet's request and answer (ServiceNow Table API): create =
 * {@code POST /api/now/table/incident} with the incident fields of the body; resolve =
 * {@code PATCH /api/now/table/incident/<sys_id>} with {@code state}, {@code close_code} and {@code close_notes}.
 * Basic authentication. The answer is the record ({@code result}: {@code sys_id}, {@code number}, ...).
 */
public class ServiceNowIncident {

    public void request(Exchange ex) {
        String base = Outbound.trimSlash(Outbound.prop(ex, "instanceUrl"));
        String auth = Outbound.basic(Outbound.prop(ex, "username"), Outbound.prop(ex, "password"));
        String action = Outbound.header(ex, "ServiceNowAction");
        action = action == null ? "create" : action.toLowerCase(Locale.ROOT);
        String timeout = Outbound.optional(ex, "timeoutMillis");
        if ("resolve".equals(action)) {
            String sysId = Outbound.segment(Outbound.header(ex, "ServiceNowSysId"), "ServiceNowSysId");
            String notes = ex.getMessage().getBody(String.class);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("state", Outbound.prop(ex, "resolvedState"));
            body.put("close_code", Outbound.prop(ex, "closeCode"));
            body.put("close_notes", notes == null || notes.isBlank() ? "Resolved by the Fulfillment Hub" : notes);
            Outbound.request(ex, "PATCH", base + "/api/now/table/incident/" + sysId, auth, body, timeout);
        } else if ("create".equals(action)) {
            Map<String, Object> fields = Outbound.objectBody(ex);
            if (fields.get("short_description") == null) {
                throw new IllegalArgumentException("short_description is required");
            }
            Outbound.request(ex, "POST", base + "/api/now/table/incident", auth, fields, timeout);
        } else {
            throw new IllegalArgumentException("ServiceNowAction must be create or resolve");
        }
        Outbound.forget(ex, "username", "password");
    }

    @SuppressWarnings("unchecked")
    public void response(Exchange ex) {
        Map<String, Object> answer = Outbound.answer(ex);
        Object result = answer.get("result");
        Outbound.reply(ex, result instanceof Map<?, ?> m ? (Map<String, Object>) m : answer);
    }
}
