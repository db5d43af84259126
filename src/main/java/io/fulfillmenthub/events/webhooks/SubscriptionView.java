package io.fulfillmenthub.events.webhooks;

import java.time.Instant;
import java.util.List;

/** A subscription as the API shows it; {@code secret} only in the answer to its creation. */
public class SubscriptionView {

    public String id;
    public String url;
    public List<String> eventTypes;
    public Metadata metadata = new Metadata();
    public Status status = new Status();
    public String secret;

    public static class Metadata {
        public String tenant;
        public Instant creationTimestamp;
    }

    public static class Status {
        public String state;
        public String reason;
        public Instant failingSince;
        public Instant lastSuccessAt;
        public Instant disabledAt;
    }

    static SubscriptionView of(Subscription s) {
        SubscriptionView v = new SubscriptionView();
        v.id = s.id();
        v.url = s.url();
        v.eventTypes = s.eventTypes();
        v.metadata.tenant = s.tenant();
        v.metadata.creationTimestamp = s.createdAt();
        v.status.state = s.state();
        v.status.reason = s.stateReason();
        v.status.failingSince = s.failingSince();
        v.status.lastSuccessAt = s.lastSuccessAt();
        v.status.disabledAt = s.disabledAt();
        return v;
    }
}
