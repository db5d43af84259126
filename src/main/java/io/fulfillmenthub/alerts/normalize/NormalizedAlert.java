package io.fulfillmenthub.alerts.normalize;

import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A hardware or monitoring alert in one shape, whatever sent it.
 *
 * <p>{@link #dedupeKey()} identifies the condition, not the notification: a repeat, an HA replica's copy and the
 * clearing message of the same condition all carry the same key, the last with {@link Status#RESOLVED}. Keys are
 * prefixed with the source ({@code alertmanager:...}, {@code redfish|...}) so the two never collide.
 *
 * @param dedupeKey          stable identity of the condition
 * @param source             who sent it
 * @param hostHint           best guess at the affected host: a host label (Alertmanager) or the BMC address (Redfish)
 * @param bmcAddress         the BMC that posted the event (Redfish); null for Alertmanager
 * @param originOfCondition  Redfish {@code OriginOfCondition} URI; null for Alertmanager
 * @param condition          condition family: Redfish message family (e.g. {@code DriveFailure}, also for its clearing
 *                           messages), Alertmanager {@code alertname}
 * @param severity           normalized severity
 * @param summary            one line for people
 * @param description        more detail; may be null
 * @param status             FIRING or RESOLVED
 * @param startsAt           when the condition started; null when unknown (e.g. a Redfish clearing message)
 * @param endsAt             when it ended; null while firing
 * @param receivedAt         when the hub received the notification
 * @param timestampEstimated true when the sender's timestamp was missing or unparseable and {@code receivedAt} was
 *                           used in its place
 * @param labels             sender labels (Alertmanager) or message attributes (Redfish: messageId, registry, ...)
 * @param raw                the sender's JSON for this one alert/event, compact
 */
public record NormalizedAlert(
        String dedupeKey,
        Source source,
        String hostHint,
        String bmcAddress,
        String originOfCondition,
        String condition,
        Severity severity,
        String summary,
        String description,
        Status status,
        Instant startsAt,
        Instant endsAt,
        Instant receivedAt,
        boolean timestampEstimated,
        Map<String, String> labels,
        String raw) {

    public NormalizedAlert {
        Objects.requireNonNull(dedupeKey, "dedupeKey");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(receivedAt, "receivedAt");
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    /** Who sent the alert. */
    public enum Source {
        ALERTMANAGER, REDFISH;

        /** {@code alertmanager} or {@code redfish}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Severity {
        CRITICAL, WARNING, INFO
    }

    public enum Status {
        FIRING, RESOLVED
    }
}
