package io.fulfillmenthub.events.webhooks;

import java.util.List;

/** Body of {@code POST /event_subscriptions}: {@code {"url": ..., "event_types": [...]}}. */
public class SubscriptionRequest {
    public String url;
    public List<String> eventTypes;
}
