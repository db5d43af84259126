package io.fulfillmenthub.store;

/** A database failure: transient from the caller's point of view (the API answers 503, senders retry). */
public class StoreException extends RuntimeException {
    public StoreException(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
