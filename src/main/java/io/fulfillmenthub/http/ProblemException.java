package io.fulfillmenthub.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the hub refuses, rendered as RFC 9457 problem JSON. Thrown by domain beans; the API routes turn it into
 * the response, so nothing half-done is stored (every write runs in one transaction that the throw rolls back).
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final String field;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ProblemException(int status, String slug, String title, String detail, String field) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.field = field;
    }

    public static ProblemException invalid(String field, String detail) {
        return new ProblemException(400, "invalid-input", "Invalid input", detail, field);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Unauthorized", detail, null)
                .header("WWW-Authenticate", "Bearer");
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail, null);
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(404, "not-found", "Not found", what + " '" + id + "' does not exist", null);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "conflict", "Conflict", detail, null);
    }

    public static ProblemException preconditionFailed(String detail) {
        return new ProblemException(412, "precondition-failed", "Precondition failed", detail, null);
    }

    public static ProblemException tooLarge(long limit) {
        return new ProblemException(413, "payload-too-large", "Payload too large",
                "the request body is larger than " + limit + " bytes", null);
    }

    public static ProblemException unsupportedMediaType(String got, String expected) {
        return new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                "Content-Type '" + (got == null ? "" : got) + "' is not accepted here; send " + expected, null);
    }

    public ProblemException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
