package io.fulfillmenthub.alerts;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A normalized hardware alert as the provider API shows it: one episode of a condition (its dedupe key), the host it
 * concerns, and the ticket, page and host action the policy took.
 */
public class Alert {

    public static final String FIRING = "FIRING";
    public static final String RESOLVED = "RESOLVED";

    public String id;
    public String dedupeKey;
    public int episode;
    public String source;
    public String condition;
    public String severity;
    public String status;
    public String summary;
    public String description;
    public HostRef host = new HostRef();
    public String clusterId;
    public String tenant;
    public Instant startsAt;
    public Instant endsAt;
    public Instant firstSeenAt;
    public Instant lastSeenAt;
    /** How many notifications (inbox entries) this episode folded. */
    public int notifications;
    public Ticket ticket = new Ticket();
    public PageRef page = new PageRef();
    public Map<String, String> labels;

    /** The status the policy route last finished handling (null: never). */
    @JsonIgnore
    public String policyStatus;
    @JsonIgnore
    public Instant openedEventAt;
    @JsonIgnore
    public Instant resolvedEventAt;
    @JsonIgnore
    public Instant tenantNotifiedAt;
    @JsonIgnore
    public Instant createdAt;

    public static class HostRef {
        /** the inventory's host id; null when the alert named no known host */
        public String id;
        /** what the sender said: a host label or the BMC address */
        public String hint;
        public String bmcAddress;
        /** what the policy did with the host: MAINTENANCE, ALREADY_OFFLINE, NO_HOST, ... */
        public String action;
        public String replacedBy;
    }

    public static class Ticket {
        /** servicenow or jira */
        public String system;
        /** ServiceNow sys_id or Jira issue key */
        public String ref;
        /** ServiceNow number (INC...) or Jira key */
        public String number;
        /** REQUESTED, OPEN, RESOLVE_REQUESTED, RESOLVED, FAILED, RESOLVE_FAILED, OFF (no ticketing configured) */
        public String state;
    }

    public static class PageRef {
        /** the PagerDuty dedup_key (the alert's dedupe key) */
        public String dedupKey;
        /** REQUESTED, TRIGGERED, RESOLVE_REQUESTED, RESOLVED, FAILED, OFF */
        public String state;
    }

    @JsonIgnore
    public boolean isFiring() {
        return FIRING.equals(status);
    }

    @JsonIgnore
    public boolean isCritical() {
        return "CRITICAL".equals(severity);
    }

    /** The host for people: its id, else what the sender said. */
    @JsonIgnore
    public String hostLabel() {
        if (host.id != null) {
            return host.id;
        }
        return host.hint != null ? host.hint : host.bmcAddress != null ? host.bmcAddress : "an unknown host";
    }
}
