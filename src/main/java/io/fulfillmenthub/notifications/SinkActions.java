package io.fulfillmenthub.notifications;

import org.apache.camel.Exchange;

/**
 * Knows how to turn queued sink jobs of some actions into Kamelet calls, and what their answers mean. The alerts
 * capability handles {@code ticket.*} and {@code page.*}; {@link MessageActions} handles mail and chat messages.
 */
public interface SinkActions {

    boolean handles(String action);

    /**
     * Puts the Kamelet's input on the exchange (body and the Kamelet's input headers). Throws
     * {@link SinkJobs.SkipJob} when there is nothing to send, {@link SinkJobs.WaitJob} to look again shortly.
     */
    void prepare(SinkJobs.Job job, Exchange ex) throws Exception;

    /** The sink accepted the call; returns a short, secret-free summary kept with the job. */
    String sent(SinkJobs.Job job, Exchange ex);

    /** The job was dead-lettered (or skipped): record what it means for the owning object. */
    default void gaveUp(SinkJobs.Job job, String reason, boolean dead) {
    }
}
