package io.fulfillmenthub.flows.sinks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * What every HTTP Kamelet of the hub does around its one call: read its properties (set by the Kamelet as exchange
 * properties), drop every header the exchange arrived with (Camel dispatch headers, an inbound request's
 * Authorization, anything a route set), and set exactly the request's method, URL, content type and credentials.
 * Bodies are JSON written with the field names the external API uses.
 */
public final class Outbound {

    /** The Kamelet's HTTP endpoint (scheme, host, port and client options); the request URL travels in CamelHttpUri. */
    public static final String ENDPOINT = "sinkEndpoint";
    static final ObjectMapper JSON = new ObjectMapper();

    private Outbound() {
    }

    /** A required Kamelet property, set by the Kamelet as an exchange property of the same name. */
    static String prop(Exchange ex, String name) {
        String v = ex.getProperty(name, String.class);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("Kamelet property '" + name + "' is not set");
        }
        return v.trim();
    }

    static String optional(Exchange ex, String name) {
        String v = ex.getProperty(name, String.class);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** Removes the properties that carried credentials once the request holds them. */
    static void forget(Exchange ex, String... names) {
        for (String n : names) {
            ex.removeProperty(n);
        }
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces every header by the request's own, and the body by {@code json} (null: no body). */
    static void request(Exchange ex, String method, String url, String authorization, Object json, String timeoutMillis) {
        URI uri = URI.create(url);
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL");
        }
        Message m = ex.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_METHOD, method);
        m.setHeader(Exchange.HTTP_URI, url);
        m.setHeader("Accept", "application/json");
        m.setHeader("User-Agent", "fulfillment-hub");
        if (authorization != null) {
            m.setHeader("Authorization", authorization);
        }
        if (json != null) {
            m.setHeader(Exchange.CONTENT_TYPE, "application/json");
            m.setBody(json instanceof String s ? s : write(json));
        } else {
            m.setBody(null);
        }
        String timeout = timeoutMillis == null || timeoutMillis.isBlank() ? "15000" : timeoutMillis.trim();
        ex.setProperty(ENDPOINT, uri.getScheme() + "://" + uri.getRawAuthority()
                + "?throwExceptionOnFailure=true&followRedirects=false&connectTimeout=" + Math.min(5000, Long.parseLong(timeout))
                + "&responseTimeout=" + timeout + "&connectionRequestTimeout=" + timeout);
    }

    /** The body as a JSON object: a Map, or JSON text/bytes. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> objectBody(Exchange ex) {
        Object body = ex.getMessage().getBody();
        if (body instanceof Map<?, ?> map) {
            return new LinkedHashMap<>((Map<String, Object>) map);
        }
        String text = ex.getMessage().getBody(String.class);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a JSON object body is required");
        }
        try {
            return JSON.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not a JSON object");
        }
    }

    /** The response body as a JSON object (empty map when there is none or it is not JSON). */
    static Map<String, Object> answer(Exchange ex) {
        String text = text(ex);
        if (text == null || text.isBlank()) {
            return new LinkedHashMap<>();
        }
        try {
            return JSON.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (IOException e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("text", text);
            return m;
        }
    }

    static String text(Exchange ex) {
        Object body = ex.getMessage().getBody();
        if (body == null) {
            return null;
        }
        if (body instanceof InputStream in) {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return null;
            }
        }
        return ex.getMessage().getBody(String.class);
    }

    /** Leaves only the response body (the HTTP response headers are not passed back to the caller). */
    static void reply(Exchange ex, Object body) {
        ex.getMessage().removeHeaders("*");
        ex.getMessage().setBody(body);
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write JSON", e);
        }
    }

    static String trimSlash(String url) {
        String u = url;
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    /** A path segment from input (sys_id, issue key): letters, digits, dash, underscore and dot only. */
    static String segment(String s, String what) {
        if (s == null || !s.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException(what + " is missing or not a plain identifier");
        }
        return s;
    }

    static String header(Exchange ex, String name) {
        Object v = ex.getMessage().getHeader(name);
        return v == null ? null : v.toString().trim();
    }
}
