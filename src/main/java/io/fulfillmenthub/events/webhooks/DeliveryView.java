package io.fulfillmenthub.events.webhooks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One event's delivery to a subscription, with every attempt made: the delivery log. */
public class DeliveryView {

    public long id;
    public String eventId;
    public String eventType;
    public String cursor;
    public String subject;
    /** PENDING (waiting for its turn or its next retry), DELIVERED, FAILED (given up, kept). */
    public String state;
    public int attempts;
    public Instant nextAttemptAt;
    public Integer lastStatusCode;
    public String lastError;
    public Instant createdAt;
    public Instant completedAt;
    public List<Attempt> attemptLog = new ArrayList<>();

    public static class Attempt {
        public int attempt;
        public Instant attemptedAt;
        public long durationMs;
        public Integer statusCode;
        public String error;
        public Instant nextRetryAt;
    }
}
