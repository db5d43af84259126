package io.fulfillmenthub.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;

/**
 * One row of the outbox, and its CloudEvents 1.0 structured (JSON) form. The {@code cursor} extension attribute is
 * the event's position in the outbox: resume after it.
 */
public record StoredEvent(long seq, String id, String type, String tenant, String subject, String source,
        Instant occurredAt, String data) {

    public static final String COLUMNS = "seq, id, type, tenant, subject, source, occurred_at, data";

    public static StoredEvent map(ResultSet rs) throws SQLException {
        return new StoredEvent(rs.getLong("seq"), rs.getString("id"), rs.getString("type"), rs.getString("tenant"),
                rs.getString("subject"), rs.getString("source"), Db.instant(rs, "occurred_at"), rs.getString("data"));
    }

    /** The type without the reverse-DNS prefix: {@code cluster.created}. */
    public String shortType() {
        return type.startsWith(Outbox.TYPE_PREFIX) ? type.substring(Outbox.TYPE_PREFIX.length()) : type;
    }

    /** The structured-mode CloudEvent: specversion, id, source, type, subject, time, datacontenttype, cursor, data. */
    public Map<String, Object> cloudEvent() {
        Map<String, Object> ce = new LinkedHashMap<>();
        ce.put("specversion", "1.0");
        ce.put("id", id);
        ce.put("source", source);
        ce.put("type", type);
        ce.put("subject", subject);
        ce.put("time", occurredAt.truncatedTo(ChronoUnit.MILLIS).toString());
        ce.put("datacontenttype", "application/json");
        ce.put("cursor", Long.toString(seq));
        ce.put("data", dataTree());
        return ce;
    }

    /** The CloudEvent as compact JSON (one line: safe in an SSE {@code data:} field). */
    public String cloudEventJson() {
        return Json.write(cloudEvent());
    }

    public JsonNode dataTree() {
        try {
            return Json.MAPPER.readTree(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + id + " has unreadable data", e);
        }
    }
}
