package io.fulfillmenthub.alerts.normalize;

/**
 * The alert body cannot be used: the endpoint answers 400 (senders do not retry 4xx, which is right for a body
 * that will never parse). {@link #field()} names the offending field, e.g. {@code alerts[0].labels}, when there is one.
 */
public class InvalidAlertPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidAlertPayloadException(String message, String field) {
        super(message);
        this.field = field;
    }

    public InvalidAlertPayloadException(String message, String field, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The offending field path, or null when the body as a whole is unusable. */
    public String field() {
        return field;
    }
}
