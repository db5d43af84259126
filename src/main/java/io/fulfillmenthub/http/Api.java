package io.fulfillmenthub.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.fulfillmenthub.store.Json;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** What every API route does with requests and responses: strict JSON in, JSON or problem JSON out. */
public final class Api {

    /** Bodies above 1 MiB are refused with 413. */
    public static final long MAX_BODY_BYTES = 1024 * 1024;

    private static final String RAW_BODY = "hub.rawBody";

    private Api() {
    }

    /** The raw request body; empty array when there is none. Refuses bodies above the limit. */
    public static byte[] rawBody(Exchange ex) {
        byte[] raw = ex.getProperty(RAW_BODY, byte[].class);
        if (raw != null) {
            return raw;
        }
        raw = ex.getMessage().getBody(byte[].class);
        if (raw == null) {
            raw = new byte[0];
        }
        if (raw.length > MAX_BODY_BYTES) {
            throw ProblemException.tooLarge(MAX_BODY_BYTES);
        }
        ex.setProperty(RAW_BODY, raw);
        return raw;
    }

    /** Checks the content type is JSON (merge-patch JSON accepted where {@code patch} is true). */
    public static void requireJson(Exchange ex, boolean patch) {
        String ct = header(ex, "Content-Type");
        String base = ct == null ? "" : ct.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        boolean ok = base.equals("application/json") || (patch && base.equals("application/merge-patch+json"));
        if (!ok) {
            throw ProblemException.unsupportedMediaType(ct, patch ? "application/json or application/merge-patch+json"
                    : "application/json");
        }
    }

    /** Parses a JSON request body strictly into the given type; every failure is a 400 naming the field. */
    public static <T> T body(Exchange ex, Class<T> type, boolean patch) {
        byte[] raw = rawBody(ex);
        requireJson(ex, patch);
        if (raw.length == 0) {
            throw ProblemException.invalid(null, "a JSON body is required");
        }
        return parse(raw, type);
    }

    public static <T> T parse(byte[] raw, Class<T> type) {
        try {
            T value = Json.MAPPER.readValue(raw, type);
            if (value == null) {
                throw ProblemException.invalid(null, "a JSON object is required");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ProblemException.invalid(path(e), "unknown field '" + e.getPropertyName() + "'");
        } catch (InvalidFormatException e) {
            throw ProblemException.invalid(path(e), "value " + quoted(e.getValue()) + " is not a valid "
                    + simpleType(e.getTargetType()));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ProblemException p) {
                throw p;
            }
            throw ProblemException.invalid(path(e), cause == null ? e.getOriginalMessage() : cause.getMessage());
        } catch (MismatchedInputException e) {
            String target = e.getTargetType() == null ? "value" : simpleType(e.getTargetType());
            throw ProblemException.invalid(path(e), "wrong type: expected " + target);
        } catch (JsonParseException e) {
            throw ProblemException.invalid(null, "malformed JSON: " + e.getOriginalMessage());
        } catch (JsonMappingException e) {
            throw ProblemException.invalid(path(e), e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ProblemException.invalid(null, "malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ProblemException.invalid(null, "unreadable body");
        }
    }

    private static String quoted(Object v) {
        return v instanceof String ? "'" + v + "'" : String.valueOf(v);
    }

    private static String simpleType(Class<?> c) {
        if (c == null) {
            return "value";
        }
        if (Number.class.isAssignableFrom(c) || c == int.class || c == long.class) {
            return "integer";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "boolean";
        }
        if (c == String.class || c.isEnum()) {
            return "string";
        }
        if (Map.class.isAssignableFrom(c)) {
            return "object";
        }
        if (java.util.Collection.class.isAssignableFrom(c)) {
            return "array";
        }
        return "object";
    }

    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    public static String header(Exchange ex, String name) {
        Object v = ex.getMessage().getHeader(name);
        if (v instanceof java.util.List<?> l) {
            v = l.isEmpty() ? null : l.get(0);
        }
        return v == null ? null : v.toString();
    }

    /** A query parameter (platform-http maps them to headers). */
    public static String query(Exchange ex, String name) {
        return header(ex, name);
    }

    public static Page page(Exchange ex) {
        return Page.of(query(ex, "offset"), query(ex, "limit"));
    }

    /** Clears request headers (never echo Authorization or parameters) and writes a JSON response. */
    public static void json(Exchange ex, int status, Object body) {
        write(ex, status, "application/json", Json.bytes(body));
    }

    public static void respond(Exchange ex, int status, String contentType, String body) {
        write(ex, status, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    public static void noContent(Exchange ex) {
        write(ex, 204, null, null);
    }

    /**
     * The one place a response is written. The body is set as a {@link ByteBuffer}: platform-http writes one in a
     * single call, where a {@code byte[]} is converted to an InputStream and streamed to the connection chunk by chunk
     * across threads (a third of the HTTP event loop's CPU under webhook load, BENCHMARKS.md, session 11).
     */
    private static void write(Exchange ex, int status, String contentType, byte[] body) {
        Message m = ex.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (contentType != null) {
            m.setHeader(Exchange.CONTENT_TYPE, contentType);
        }
        m.setBody(body == null ? null : ByteBuffer.wrap(body));
    }

    /** Adds a response header after {@link #json}. */
    public static void responseHeader(Exchange ex, String name, Object value) {
        ex.getMessage().setHeader(name, value);
    }

    public static void problem(Exchange ex, Throwable failure) {
        ProblemException p = Problems.from(failure);
        respond(ex, p.status(), Problems.MEDIA_TYPE,
                Problems.json(p.status(), p.slug(), p.title(), p.getMessage(), p.field()));
        p.headers().forEach((k, v) -> ex.getMessage().setHeader(k, v));
    }
}
