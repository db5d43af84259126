package io.fulfillmenthub.alerts.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Severity;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Source;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Parses a Redfish EventService delivery ({@code #Event.v1_x_y.Event} with {@code Events[]}) into normalized
 * alerts.
 *
 * <h2>Conditions</h2>
 * The registry prefix and version are stripped from {@code MessageId} ({@code StorageDevice.1.5.DriveFailure} ->
 * {@code DriveFailure}). Known keys map to a condition family:
 * <table>
 *   <caption>families</caption>
 *   <tr><th>raises</th><th>default severity</th><th>cleared by</th></tr>
 *   <tr><td>DriveFailure</td><td>Critical</td><td>DriveFailureCleared, DriveOK</td></tr>
 *   <tr><td>DrivePredictiveFailure</td><td>Warning</td><td>DrivePredictiveFailureCleared, DriveOK</td></tr>
 *   <tr><td>DriveOffline</td><td>Critical</td><td>DriveOfflineCleared, DriveInserted</td></tr>
 *   <tr><td>DriveMissing</td><td>Critical</td><td>DriveMissingCleared, DriveInserted</td></tr>
 *   <tr><td>DriveRemoved</td><td>Critical</td><td>DriveInserted</td></tr>
 *   <tr><td>VolumeFailure</td><td>Critical</td><td>VolumeOK</td></tr>
 *   <tr><td>VolumeDegraded</td><td>Warning</td><td>VolumeOK</td></tr>
 *   <tr><td>VolumeOffline</td><td>Critical</td><td>VolumeOfflineCleared, VolumeOK</td></tr>
 *   <tr><td>ControllerFailure</td><td>Critical</td><td>ControllerOK</td></tr>
 *   <tr><td>ControllerDegraded</td><td>Warning</td><td>ControllerOK</td></tr>
 *   <tr><td>ResourceStatusChanged (from ...Critical / ...Warning)</td><td>Critical / Warning</td>
 *       <td>ResourceStatusChangedOK</td></tr>
 * </table>
 * A clearing message yields one RESOLVED alert per family it clears (DriveOK resolves both DriveFailure and
 * DrivePredictiveFailure), each with the same dedupe key as the alert it resolves; resolving something that was
 * never open is a no-op for the consumer. An unknown key ending in {@code Cleared} resolves the family named by the
 * rest of the key; any other unknown key fires with the key as its family.
 *
 * <h2>Fields</h2>
 * <ul>
 *   <li>Severity: {@code MessageSeverity}, else the deprecated {@code Severity}, else the registry default above
 *       (clearing messages: OK), else WARNING. OK maps to INFO.</li>
 *   <li>{@code OriginOfCondition}: {@code {"@odata.id": ...}} or a plain string. If absent, the first
 *       {@code MessageArgs} value (the location, in the StorageDevice registry) stands in for it in the key.</li>
 *   <li>Dedupe key: {@code redfish|<bmc>|<origin>|<family>}.</li>
 *   <li>Timestamps parsed leniently ({@link LenientTimestamps}); missing, unparseable or before 2000 (an unset BMC
 *       clock) -> {@code receivedAt} with {@code timestampEstimated}. A firing alert gets it as {@code startsAt},
 *       a resolved one as {@code endsAt} (its start is unknown here).</li>
 *   <li>The BMC address is a parameter: the caller knows who posted (header token or source address). The body's
 *       {@code Context} is kept as label {@code context}.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class RedfishParser {
    static final String KEY_PREFIX = "redfish|";
    private static final Instant PLAUSIBLE_AFTER = Instant.parse("2000-01-01T00:00:00Z");

    /** What a message key means. Exactly one of {@code raises} / {@code clears} is set. */
    private record Rule(String raises, Severity defaultSeverity, List<String> clears) {
        static Rule raise(String family, Severity severity) {
            return new Rule(family, severity, List.of());
        }

        static Rule clear(String... families) {
            return new Rule(null, Severity.INFO, List.of(families));
        }
    }

    private static final Map<String, Rule> RULES = new HashMap<>();

    static {
        for (String family : List.of("DriveFailure", "DriveOffline", "DriveMissing", "DriveRemoved", "VolumeFailure",
                "VolumeOffline", "ControllerFailure")) {
            RULES.put(family, Rule.raise(family, Severity.CRITICAL));
        }
        for (String family : List.of("DrivePredictiveFailure", "VolumeDegraded", "ControllerDegraded")) {
            RULES.put(family, Rule.raise(family, Severity.WARNING));
        }
        RULES.put("VolumeOffine", Rule.raise("VolumeOffline", Severity.CRITICAL)); // misspelt key in DMTF 1.x
        RULES.put("ResourceStatusChangedCritical", Rule.raise("ResourceStatusChanged", Severity.CRITICAL));
        RULES.put("ResourceStatusChangedWarning", Rule.raise("ResourceStatusChanged", Severity.WARNING));

        RULES.put("DriveFailureCleared", Rule.clear("DriveFailure"));
        RULES.put("DrivePredictiveFailureCleared", Rule.clear("DrivePredictiveFailure"));
        RULES.put("DriveOK", Rule.clear("DriveFailure", "DrivePredictiveFailure"));
        RULES.put("DriveInserted", Rule.clear("DriveRemoved", "DriveMissing", "DriveOffline"));
        RULES.put("DriveMissingCleared", Rule.clear("DriveMissing"));
        RULES.put("DriveOfflineCleared", Rule.clear("DriveOffline"));
        RULES.put("VolumeOK", Rule.clear("VolumeFailure", "VolumeDegraded", "VolumeOffline"));
        RULES.put("VolumeOfflineCleared", Rule.clear("VolumeOffline"));
        RULES.put("ControllerOK", Rule.clear("ControllerFailure", "ControllerDegraded"));
        RULES.put("ResourceStatusChangedOK", Rule.clear("ResourceStatusChanged"));
    }

    private final ObjectReader reader;

    public RedfishParser() {
        this(new ObjectMapper());
    }

    public RedfishParser(ObjectMapper mapper) {
        this.reader = Json.reader(Objects.requireNonNull(mapper, "mapper"));
    }

    /** A parsed {@code MessageId}: {@code Registry.Major.Minor.Key}; registry and version null when absent. */
    public record MessageRef(String registry, String version, String key) {
        public static MessageRef parse(String messageId) {
            String id = messageId.strip();
            String[] parts = id.split("\\.");
            if (parts.length == 1) {
                return new MessageRef(null, null, id);
            }
            String key = parts[parts.length - 1];
            String version = parts.length > 2 ? String.join(".", List.of(parts).subList(1, parts.length - 1)) : null;
            return new MessageRef(parts[0], version, key.isEmpty() ? id : key);
        }
    }

    /**
     * @param body       the raw POST body
     * @param bmcAddress the BMC that posted (required): host name or IP as the inventory knows it
     * @param receivedAt when the hub received it
     * @throws MissingAlertFieldException   naming the field, e.g. {@code Events[0].MessageId}
     * @throws InvalidAlertPayloadException when the body is not a usable JSON object
     */
    public List<NormalizedAlert> parse(byte[] body, String bmcAddress, Instant receivedAt)
            throws InvalidAlertPayloadException {
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (bmcAddress == null || bmcAddress.isBlank()) {
            throw new IllegalArgumentException("bmcAddress is required");
        }
        String bmc = bmcAddress.strip().toLowerCase(Locale.ROOT);
        JsonNode root = Json.readObject(reader, body);
        JsonNode events = root.get("Events");
        if (events == null || !events.isArray()) {
            throw new MissingAlertFieldException("Events");
        }
        String context = Json.text(root, "Context");
        List<NormalizedAlert> result = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            event(events.get(i), "Events[" + i + "]", bmc, context, receivedAt, result);
        }
        return result;
    }

    private void event(JsonNode e, String path, String bmc, String context, Instant receivedAt,
            List<NormalizedAlert> out) throws InvalidAlertPayloadException {
        if (!e.isObject()) {
            throw new InvalidAlertPayloadException(path + " is not an object", path);
        }
        String messageId = Json.text(e, "MessageId");
        if (messageId == null) {
            throw new MissingAlertFieldException(path + ".MessageId");
        }
        MessageRef ref = MessageRef.parse(messageId);
        Rule rule = RULES.get(ref.key());

        String origin = origin(e.get("OriginOfCondition"));
        List<String> args = new ArrayList<>();
        JsonNode argsNode = e.get("MessageArgs");
        if (argsNode != null && argsNode.isArray()) {
            for (JsonNode a : argsNode) {
                if (a.isValueNode() && !a.isNull()) {
                    args.add(a.asText());
                }
            }
        }
        String identity = origin != null ? origin : !args.isEmpty() ? "arg:" + args.get(0) : "-";

        Status status;
        List<String> families;
        Severity registryDefault;
        if (rule != null && rule.raises() != null) {
            status = Status.FIRING;
            families = List.of(rule.raises());
            registryDefault = rule.defaultSeverity();
        } else if (rule != null) {
            status = Status.RESOLVED;
            families = rule.clears();
            registryDefault = rule.defaultSeverity();
        } else if (ref.key().endsWith("Cleared") && ref.key().length() > "Cleared".length()) {
            status = Status.RESOLVED;
            families = List.of(ref.key().substring(0, ref.key().length() - "Cleared".length()));
            registryDefault = Severity.INFO;
        } else {
            status = Status.FIRING;
            families = List.of(ref.key());
            registryDefault = Severity.WARNING;
        }
        Severity severity = severity(Json.text(e, "MessageSeverity"));
        if (severity == null) {
            severity = severity(Json.text(e, "Severity"));
        }
        if (severity == null) {
            severity = registryDefault;
        }

        Instant eventTime = LenientTimestamps.parse(Json.text(e, "EventTimestamp"))
                .filter(t -> !t.isBefore(PLAUSIBLE_AFTER)).orElse(null);
        boolean estimated = eventTime == null;
        Instant when = estimated ? receivedAt : eventTime;

        String message = Json.text(e, "Message");
        String summary = message != null ? message
                : ref.key() + " on " + (origin != null ? origin : bmc);
        StringBuilder description = new StringBuilder("Redfish ").append(messageId);
        if (origin != null) {
            description.append(" on ").append(origin);
        }
        description.append(" from BMC ").append(bmc);
        if (!args.isEmpty()) {
            description.append(" (args: ").append(String.join(", ", args)).append(')');
        }
        String resolution = Json.text(e, "Resolution");
        if (resolution != null) {
            description.append(". Resolution: ").append(resolution);
        }

        Map<String, String> labels = new TreeMap<>();
        put(labels, "messageId", messageId);
        put(labels, "registry", ref.registry());
        put(labels, "registryVersion", ref.version());
        put(labels, "messageKey", ref.key());
        put(labels, "eventId", Json.text(e, "EventId"));
        put(labels, "memberId", Json.text(e, "MemberId"));
        put(labels, "eventType", Json.text(e, "EventType"));
        put(labels, "messageSeverity", Json.text(e, "MessageSeverity"));
        put(labels, "deprecatedSeverity", Json.text(e, "Severity"));
        put(labels, "context", Json.firstNonBlank(Json.text(e, "Context"), context));
        if (!args.isEmpty()) {
            put(labels, "messageArgs", String.join(", ", args));
        }
        String raw = e.toString();

        for (String family : families) {
            String key = KEY_PREFIX + bmc + "|" + identity + "|" + family;
            out.add(new NormalizedAlert(key, Source.REDFISH, bmc, bmc, origin, family, severity, summary,
                    description.toString(), status,
                    status == Status.FIRING ? when : null,
                    status == Status.RESOLVED ? when : null,
                    receivedAt, estimated, labels, raw));
        }
    }

    /** {@code {"@odata.id": "/redfish/v1/..."}} or a plain string, trailing slash removed; null when absent. */
    static String origin(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String s = node.isObject() ? Json.text(node, "@odata.id") : node.isTextual() ? node.asText().strip() : null;
        if (s == null || s.isEmpty()) {
            return null;
        }
        while (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** Redfish severity text (OK, Warning, Critical; lenient about case and variants); null when absent or unknown. */
    static Severity severity(String text) {
        if (text == null) {
            return null;
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "critical", "fatal", "error" -> Severity.CRITICAL;
            case "warning", "warn" -> Severity.WARNING;
            case "ok", "informational", "info", "information" -> Severity.INFO;
            default -> null;
        };
    }

    private static void put(Map<String, String> labels, String name, String value) {
        if (value != null) {
            labels.put(name, value);
        }
    }
}
