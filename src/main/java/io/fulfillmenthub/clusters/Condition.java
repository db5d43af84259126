package io.fulfillmenthub.clusters;

import java.time.Instant;

/** One observed condition of a cluster: {@code type}, {@code status} True|False, why, since when. */
public class Condition {
    public String type;
    public String status;
    public String reason;
    public String message;
    public Instant lastTransitionTime;

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message, Instant at) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
        this.lastTransitionTime = at;
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isTrue() {
        return "True".equals(status);
    }
}
