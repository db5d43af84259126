package io.fulfillmenthub.alerts.normalize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small JSON helpers shared by the parsers. */
final class Json {
    private Json() {
    }

    static ObjectReader reader(ObjectMapper mapper) {
        return mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    static JsonNode readObject(ObjectReader reader, byte[] body) throws InvalidAlertPayloadException {
        if (body == null || body.length == 0) {
            throw new InvalidAlertPayloadException("empty body", null);
        }
        JsonNode root;
        try {
            root = reader.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidAlertPayloadException("body is not valid JSON: " + e.getOriginalMessage(), null, e);
        } catch (IOException e) {
            throw new InvalidAlertPayloadException("body is not valid JSON", null, e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidAlertPayloadException("body is not a JSON object", null);
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

    /** The scalar members of an object as strings (labels, annotations); empty when not an object. */
    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                    map.put(e.getKey(), e.getValue().asText());
                }
            }
        }
        return map;
    }

    static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
