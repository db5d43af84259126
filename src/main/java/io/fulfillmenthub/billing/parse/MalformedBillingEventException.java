package io.fulfillmenthub.billing.parse;

/** The body is not a JSON object at all: the endpoint answers 400. */
public class MalformedBillingEventException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedBillingEventException(String message) {
        super(message);
    }

    public MalformedBillingEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
