package io.fulfillmenthub.events.webhooks;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import io.fulfillmenthub.store.Db;

/** A stored webhook subscription (the secret stays sealed). */
public record Subscription(String id, String tenant, String url, List<String> eventTypes, String state,
        String stateReason, long startSeq, Instant failingSince, Instant lastSuccessAt, Instant disabledAt,
        Instant createdAt, String secretSealed) {

    public static final String ACTIVE = "ACTIVE";
    public static final String DISABLED = "DISABLED";

    static final String COLUMNS = "id, tenant, url, event_types, state, state_reason, start_seq, failing_since,"
            + " last_success_at, disabled_at, created_at, secret_enc";

    static Subscription map(ResultSet rs) throws SQLException {
        return new Subscription(rs.getString("id"), rs.getString("tenant"), rs.getString("url"),
                Arrays.stream(rs.getString("event_types").split(",")).filter(s -> !s.isBlank()).toList(),
                rs.getString("state"), rs.getString("state_reason"), rs.getLong("start_seq"),
                Db.instant(rs, "failing_since"), Db.instant(rs, "last_success_at"), Db.instant(rs, "disabled_at"),
                Db.instant(rs, "created_at"), rs.getString("secret_enc"));
    }

    public boolean active() {
        return ACTIVE.equals(state);
    }

    public boolean wants(String shortType) {
        return eventTypes.contains(shortType);
    }
}
