package io.fulfillmenthub.events.kafka;

/**
 * A batch was not fully acknowledged by Kafka. Some of its records may have been written: the caller keeps its
 * cursor and publishes the same batch again later (consumers dedupe on the CloudEvents id).
 */
public class KafkaPublishException extends RuntimeException {

    private final int batchSize;
    private final int acknowledged;

    public KafkaPublishException(String message, Throwable cause, int batchSize, int acknowledged) {
        super(message, cause);
        this.batchSize = batchSize;
        this.acknowledged = acknowledged;
    }

    /** Number of events in the batch that failed. */
    public int batchSize() {
        return batchSize;
    }

    /** How many of them Kafka did acknowledge before the publisher gave up (they will be written again on retry). */
    public int acknowledged() {
        return acknowledged;
    }
}
