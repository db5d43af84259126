package io.fulfillmenthub.http;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fulfillmenthub.store.Json;
import io.fulfillmenthub.store.StoreException;
import org.jboss.logging.Logger;

/** Renders refusals and failures as RFC 9457 {@code application/problem+json}. */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final Logger LOG = Logger.getLogger(Problems.class);

    private Problems() {
    }

    public static Map<String, Object> body(int status, String slug, String title, String detail, String field) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "/problems/" + slug);
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        if (field != null) {
            p.put("field", field);
        }
        return p;
    }

    public static String json(int status, String slug, String title, String detail, String field) {
        try {
            return Json.MAPPER.writeValueAsString(body(status, slug, title, detail, field));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Maps any exception to a problem: known refusals keep their status, store failures are 503, others 500. */
    public static ProblemException from(Throwable t) {
        if (t instanceof ProblemException p) {
            return p;
        }
        if (t instanceof StoreException) {
            LOG.warn("store unavailable: " + t.getMessage());
            return new ProblemException(503, "unavailable", "Service unavailable",
                    "the store is not reachable right now; retry later", null).header("Retry-After", "5");
        }
        LOG.error("unexpected failure", t);
        return new ProblemException(500, "internal-error", "Internal error",
                "the hub failed to handle this request; it was logged", null);
    }
}
