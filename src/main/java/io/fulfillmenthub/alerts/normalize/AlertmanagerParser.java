package io.fulfillmenthub.alerts.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Severity;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Source;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Status;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Parses the Prometheus Alertmanager {@code webhook_config} body (version "4") into one {@link NormalizedAlert} per
 * {@code alerts[]} item.
 *
 * <ul>
 *   <li>Dedupe key: {@code alertmanager:<fingerprint>}; without a fingerprint,
 *       {@code alertmanager:labels:<sha256 of the sorted labels>} (firing and resolved copies share it; so do the
 *       copies every HA replica sends).</li>
 *   <li>Severity from {@code labels.severity}: critical, page, error, fatal, high, major, ... -> CRITICAL;
 *       warning, warn, minor, medium -> WARNING; info, informational, notice, low, none, ok -> INFO; missing or
 *       unknown -> WARNING (visible, but not paging).</li>
 *   <li>Host hint from the first of the labels {@code node}, {@code hostname}, {@code host}, {@code nodename},
 *       {@code instance} (port and URL scheme stripped). The explicit host labels win over {@code instance}, which
 *       under Kubernetes service discovery is often a pod IP.</li>
 *   <li>Summary from annotations {@code summary}, {@code description}, {@code message}, else the alert name;
 *       alert annotations override {@code commonAnnotations}.</li>
 *   <li>{@code endsAt} of {@code 0001-01-01T00:00:00Z} means none. Status per alert, falling back to the group's.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class AlertmanagerParser {
    public static final String SUPPORTED_VERSION = "4";
    static final String KEY_PREFIX = "alertmanager:";

    /** Timestamps at or before this are Go's zero time (or garbage): "no time". */
    private static final Instant NO_TIME_BEFORE = Instant.parse("0002-01-01T00:00:00Z");

    private final ObjectReader reader;

    public AlertmanagerParser() {
        this(new ObjectMapper());
    }

    public AlertmanagerParser(ObjectMapper mapper) {
        this.reader = Json.reader(Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * @param body       the raw webhook body
     * @param receivedAt when the hub received it
     * @throws UnsupportedAlertVersionException when {@code version} is not "4"
     * @throws MissingAlertFieldException       when a required field is missing (the field is named)
     * @throws InvalidAlertPayloadException     when the body is not a usable JSON object
     */
    public List<NormalizedAlert> parse(byte[] body, Instant receivedAt) throws InvalidAlertPayloadException {
        Objects.requireNonNull(receivedAt, "receivedAt");
        JsonNode root = Json.readObject(reader, body);
        String version = Json.text(root, "version");
        if (version == null) {
            throw new MissingAlertFieldException("version");
        }
        if (!SUPPORTED_VERSION.equals(version)) {
            throw new UnsupportedAlertVersionException(version, SUPPORTED_VERSION);
        }
        JsonNode alerts = root.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new MissingAlertFieldException("alerts");
        }
        String groupStatus = Json.text(root, "status");
        Map<String, String> commonAnnotations = Json.stringMap(root.get("commonAnnotations"));
        List<NormalizedAlert> result = new ArrayList<>(alerts.size());
        for (int i = 0; i < alerts.size(); i++) {
            result.add(alert(alerts.get(i), "alerts[" + i + "]", groupStatus, commonAnnotations, receivedAt));
        }
        return result;
    }

    private NormalizedAlert alert(JsonNode a, String path, String groupStatus, Map<String, String> commonAnnotations,
            Instant receivedAt) throws InvalidAlertPayloadException {
        if (!a.isObject()) {
            throw new InvalidAlertPayloadException(path + " is not an object", path);
        }
        JsonNode labelsNode = a.get("labels");
        if (labelsNode == null || !labelsNode.isObject()) {
            throw new MissingAlertFieldException(path + ".labels");
        }
        Map<String, String> labels = new TreeMap<>(Json.stringMap(labelsNode));
        Map<String, String> annotations = new LinkedHashMap<>(commonAnnotations);
        annotations.putAll(Json.stringMap(a.get("annotations")));

        String statusText = Json.firstNonBlank(Json.text(a, "status"), groupStatus);
        if (statusText == null) {
            throw new MissingAlertFieldException(path + ".status");
        }
        Status status = switch (statusText.toLowerCase(Locale.ROOT)) {
            case "firing" -> Status.FIRING;
            case "resolved" -> Status.RESOLVED;
            default -> throw new InvalidAlertPayloadException(
                    path + ".status must be firing or resolved, got '" + statusText + "'", path + ".status");
        };

        String fingerprint = Json.text(a, "fingerprint");
        String dedupeKey = KEY_PREFIX + (fingerprint != null ? fingerprint : "labels:" + labelsHash(labels));

        boolean estimated = false;
        Instant startsAt = time(Json.text(a, "startsAt"));
        if (startsAt == null) {
            startsAt = receivedAt;
            estimated = true;
        }
        String endsText = Json.text(a, "endsAt");
        Instant endsAt = time(endsText);
        if (status == Status.RESOLVED && endsAt == null) {
            endsAt = receivedAt;
            estimated = true;
        } else if (endsAt == null && endsText != null && LenientTimestamps.parse(endsText).isEmpty()) {
            estimated = true; // garbage endsAt on a firing alert: reported, not invented
        }

        String alertname = labels.get("alertname");
        String summary = Json.firstNonBlank(annotations.get("summary"), annotations.get("description"),
                annotations.get("message"), alertname, "Alertmanager alert " + dedupeKey);
        String description = Json.firstNonBlank(annotations.get("description"), annotations.get("message"));

        return new NormalizedAlert(dedupeKey, Source.ALERTMANAGER, hostHint(labels), null, null, alertname,
                severityOf(labels.get("severity")), summary, description, status, startsAt, endsAt, receivedAt,
                estimated, labels, a.toString());
    }

    /** Null for missing, unparseable and Go-zero times. */
    private static Instant time(String text) {
        Optional<Instant> t = LenientTimestamps.parse(text);
        return t.filter(i -> !i.isBefore(NO_TIME_BEFORE)).orElse(null);
    }

    /** Maps a {@code severity} label value. Unknown or missing -> WARNING. */
    public static Severity severityOf(String label) {
        if (label == null || label.isBlank()) {
            return Severity.WARNING;
        }
        return switch (label.strip().toLowerCase(Locale.ROOT)) {
            case "critical", "crit", "page", "error", "err", "fatal", "emergency", "emerg", "alert", "high", "major",
                    "disaster", "p1", "sev1" -> Severity.CRITICAL;
            case "warning", "warn", "minor", "medium", "average", "p2", "p3", "sev2", "sev3" -> Severity.WARNING;
            case "info", "information", "informational", "notice", "low", "none", "ok", "debug", "p4", "p5",
                    "sev4" -> Severity.INFO;
            default -> Severity.WARNING;
        };
    }

    /** The host named by the labels: node, hostname, host, nodename, then instance without its port. */
    static String hostHint(Map<String, String> labels) {
        for (String name : new String[] {"node", "hostname", "host", "nodename"}) {
            String v = labels.get(name);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        String instance = labels.get("instance");
        return instance == null || instance.isBlank() ? null : stripPort(instance.strip());
    }

    /** {@code host:9100} -> host, {@code [::1]:9100} -> ::1, {@code http://host:8080/x} -> host; bare IPv6 kept. */
    static String stripPort(String instance) {
        String s = instance;
        if (s.contains("://")) {
            try {
                String host = new URI(s).getHost();
                if (host != null) {
                    s = host;
                }
            } catch (URISyntaxException ignored) {
                // not a URI: treat as host[:port]
            }
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            return close > 1 ? s.substring(1, close) : s;
        }
        int colon = s.indexOf(':');
        if (colon > 0 && colon == s.lastIndexOf(':')) {
            String port = s.substring(colon + 1);
            if (!port.isEmpty() && port.chars().allMatch(Character::isDigit)) {
                return s.substring(0, colon);
            }
        }
        return s;
    }

    /** Stable hash of sorted labels; each name and value is length-prefixed so no two label sets collide by layout. */
    static String labelsHash(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> sb.append(k.length()).append(':').append(k)
                .append(v.length()).append(':').append(v));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
