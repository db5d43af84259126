package io.fulfillmenthub.alerts.normalize;

import io.fulfillmenthub.testsupport.Samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Severity;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Source;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert.Status;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class AlertmanagerParserTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Instant RECEIVED = Instant.parse("2026-11-26T10:16:00Z");
    final AlertmanagerParser parser = new AlertmanagerParser();

    static byte[] sample(String path, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(Samples.bytes(path));
        edit.accept(root);
        return MAPPER.writeValueAsBytes(root);
    }

    static ObjectNode firstAlert(ObjectNode root) {
        return (ObjectNode) root.get("alerts").get(0);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void firingSample() throws Exception {
        List<NormalizedAlert> alerts = parser.parse(Samples.bytes("alertmanager/disk-errors-firing.json"), RECEIVED);
        assertEquals(1, alerts.size());
        NormalizedAlert a = alerts.get(0);
        assertEquals("alertmanager:8c5f1a2b3d4e6f70", a.dedupeKey());
        assertEquals(Source.ALERTMANAGER, a.source());
        assertEquals("alertmanager", a.source().id());
        assertEquals("worker-gpu-07.dc1.example.net", a.hostHint());
        assertNull(a.bmcAddress());
        assertNull(a.originOfCondition());
        assertEquals("NodeDiskIOErrors", a.condition());
        assertEquals(Severity.CRITICAL, a.severity());
        assertEquals("Disk I/O errors on worker-gpu-07", a.summary());
        assertEquals("Device nvme1n1 reported 37 I/O errors in 5 minutes.", a.description());
        assertEquals(Status.FIRING, a.status());
        assertEquals(Instant.parse("2026-11-26T10:15:30.123Z"), a.startsAt());
        assertNull(a.endsAt());
        assertEquals(RECEIVED, a.receivedAt());
        assertFalse(a.timestampEstimated());
        assertEquals("nvme1n1", a.labels().get("device"));
        assertEquals("worker-gpu-07.dc1.example.net:9100", a.labels().get("instance"));
        assertTrue(a.raw().contains("\"fingerprint\":\"8c5f1a2b3d4e6f70\""), a.raw());
        assertThrows(UnsupportedOperationException.class, () -> a.labels().put("x", "y"));
    }

    @Test
    void resolvedSampleSharesTheKey() throws Exception {
        NormalizedAlert firing = parser.parse(Samples.bytes("alertmanager/disk-errors-firing.json"), RECEIVED).get(0);
        NormalizedAlert resolved = parser.parse(Samples.bytes("alertmanager/disk-errors-resolved.json"), RECEIVED)
                .get(0);
        assertEquals(firing.dedupeKey(), resolved.dedupeKey());
        assertEquals(Status.RESOLVED, resolved.status());
        assertEquals(Instant.parse("2026-11-26T11:02:10.456Z"), resolved.endsAt());
        assertEquals(Instant.parse("2026-11-26T10:15:30.123Z"), resolved.startsAt());
        assertFalse(resolved.timestampEstimated());
    }

    @Test
    void versionMustBeFour() throws Exception {
        UnsupportedAlertVersionException e = assertThrows(UnsupportedAlertVersionException.class, () -> parser.parse(
                sample("alertmanager/disk-errors-firing.json", r -> r.put("version", "3")), RECEIVED));
        assertEquals("3", e.version());
        assertEquals("version", e.field());
        MissingAlertFieldException missing = assertThrows(MissingAlertFieldException.class, () -> parser.parse(
                sample("alertmanager/disk-errors-firing.json", r -> r.remove("version")), RECEIVED));
        assertEquals("version", missing.field());
        // a numeric 4 is the same version
        assertEquals(1, parser.parse(sample("alertmanager/disk-errors-firing.json", r -> r.put("version", 4)), RECEIVED)
                .size());
    }

    @Test
    void missingFieldsAreNamed() throws Exception {
        assertEquals("alerts", assertThrows(MissingAlertFieldException.class, () -> parser.parse(
                sample("alertmanager/disk-errors-firing.json", r -> r.remove("alerts")), RECEIVED)).field());
        assertEquals("alerts[0].labels", assertThrows(MissingAlertFieldException.class, () -> parser.parse(
                sample("alertmanager/disk-errors-firing.json", r -> firstAlert(r).remove("labels")), RECEIVED)).field());
        assertEquals("alerts[0].status", assertThrows(MissingAlertFieldException.class, () -> parser.parse(
                sample("alertmanager/disk-errors-firing.json", r -> {
                    r.remove("status");
                    firstAlert(r).remove("status");
                }), RECEIVED)).field());
        assertEquals("alerts[0].status", assertThrows(InvalidAlertPayloadException.class, () -> parser.parse(
                sample("alertmanager/disk-errors-firing.json", r -> firstAlert(r).put("status", "pending")), RECEIVED))
                .field());
    }

    @Test
    void malformedBodies() {
        for (String bad : new String[] {"", "{", "[]", "not json", "{\"version\":\"4\",\"alerts\":[]} x"}) {
            assertThrows(InvalidAlertPayloadException.class, () -> parser.parse(utf8(bad), RECEIVED), bad);
        }
        assertThrows(InvalidAlertPayloadException.class,
                () -> parser.parse(utf8("{\"version\":\"4\",\"alerts\":[42]}"), RECEIVED));
    }

    @Test
    void emptyAlertsIsFine() throws Exception {
        assertEquals(List.of(), parser.parse(utf8("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}"), RECEIVED));
    }

    @Test
    void statusFallsBackToGroupStatus() throws Exception {
        NormalizedAlert a = parser.parse(sample("alertmanager/disk-errors-resolved.json",
                r -> firstAlert(r).remove("status")), RECEIVED).get(0);
        assertEquals(Status.RESOLVED, a.status());
    }

    @Test
    void withoutFingerprintKeyIsAStableLabelHash() throws Exception {
        String a = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"X\",\"instance\":\"h1:9100\"}}]}";
        String b = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"labels\":{\"instance\":\"h1:9100\",\"alertname\":\"X\"}}]}";
        String c = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"labels\":{\"instance\":\"h2:9100\",\"alertname\":\"X\"}}]}";
        String keyA = parser.parse(utf8(a), RECEIVED).get(0).dedupeKey();
        assertTrue(keyA.startsWith("alertmanager:labels:"), keyA);
        assertEquals(keyA, parser.parse(utf8(b), RECEIVED).get(0).dedupeKey());
        assertNotEquals(keyA, parser.parse(utf8(c), RECEIVED).get(0).dedupeKey());
        // layout cannot collide: {"ab":"c"} vs {"a":"bc"}
        assertNotEquals(AlertmanagerParser.labelsHash(Map.of("ab", "c")), AlertmanagerParser.labelsHash(Map.of("a", "bc")));
    }

    @Test
    void missingOrGarbageStartsAtUsesReceivedAtWithFlag() throws Exception {
        NormalizedAlert a = parser.parse(sample("alertmanager/disk-errors-firing.json",
                r -> firstAlert(r).put("startsAt", "soon")), RECEIVED).get(0);
        assertEquals(RECEIVED, a.startsAt());
        assertTrue(a.timestampEstimated());
        NormalizedAlert resolvedNoEnd = parser.parse(sample("alertmanager/disk-errors-resolved.json",
                r -> firstAlert(r).put("endsAt", "0001-01-01T00:00:00Z")), RECEIVED).get(0);
        assertEquals(RECEIVED, resolvedNoEnd.endsAt());
        assertTrue(resolvedNoEnd.timestampEstimated());
    }

    @Test
    void annotationsFallBack() throws Exception {
        NormalizedAlert common = parser.parse(sample("alertmanager/disk-errors-firing.json",
                r -> firstAlert(r).remove("annotations")), RECEIVED).get(0);
        assertEquals("Disk I/O errors on worker-gpu-07", common.summary());
        NormalizedAlert none = parser.parse(utf8("""
                {"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HostDown"},
                 "annotations":{"message":"host is down"},"fingerprint":"f1"}]}"""), RECEIVED).get(0);
        assertEquals("host is down", none.summary());
        assertEquals("host is down", none.description());
        assertEquals(Severity.WARNING, none.severity());
        assertNull(none.hostHint());
        NormalizedAlert bare = parser.parse(utf8("""
                {"version":"4","alerts":[{"status":"firing","labels":{"alertname":"HostDown"}}]}"""), RECEIVED).get(0);
        assertEquals("HostDown", bare.summary());
        assertNull(bare.description());
    }

    @Test
    void severityMapping() {
        assertEquals(Severity.CRITICAL, AlertmanagerParser.severityOf("critical"));
        assertEquals(Severity.CRITICAL, AlertmanagerParser.severityOf("Page"));
        assertEquals(Severity.CRITICAL, AlertmanagerParser.severityOf("error"));
        assertEquals(Severity.WARNING, AlertmanagerParser.severityOf("warning"));
        assertEquals(Severity.INFO, AlertmanagerParser.severityOf("info"));
        assertEquals(Severity.INFO, AlertmanagerParser.severityOf("none"));
        assertEquals(Severity.WARNING, AlertmanagerParser.severityOf(null));
        assertEquals(Severity.WARNING, AlertmanagerParser.severityOf("whatever"));
    }

    @Test
    void hostHints() {
        assertEquals("worker-1", AlertmanagerParser.hostHint(Map.of("node", "worker-1", "instance", "10.0.0.1:9100")));
        assertEquals("h", AlertmanagerParser.hostHint(Map.of("hostname", "h")));
        assertEquals("h", AlertmanagerParser.hostHint(Map.of("host", "h")));
        assertEquals("10.0.0.1", AlertmanagerParser.hostHint(Map.of("instance", "10.0.0.1:9100")));
        assertEquals("2001:db8::1", AlertmanagerParser.hostHint(Map.of("instance", "[2001:db8::1]:9100")));
        assertEquals("2001:db8::1", AlertmanagerParser.hostHint(Map.of("instance", "2001:db8::1")));
        assertEquals("h.example", AlertmanagerParser.hostHint(Map.of("instance", "https://h.example:8443/metrics")));
        assertEquals("h", AlertmanagerParser.hostHint(Map.of("instance", "h")));
        assertNull(AlertmanagerParser.hostHint(Map.of("job", "node")));
    }

    @Test
    void severalAlertsInOneNotification() throws Exception {
        List<NormalizedAlert> alerts = parser.parse(utf8("""
                {"version":"4","status":"firing","groupKey":"g","unknownTopLevel":1,"alerts":[
                  {"status":"firing","labels":{"alertname":"A","severity":"critical","node":"n1"},"fingerprint":"1",
                   "startsAt":"2026-11-26T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","newField":[1]},
                  {"status":"resolved","labels":{"alertname":"B","severity":"info","node":"n2"},"fingerprint":"2",
                   "startsAt":"2026-11-26T09:00:00Z","endsAt":"2026-11-26T10:00:00Z"}]}"""), RECEIVED);
        assertEquals(2, alerts.size());
        assertEquals(Status.FIRING, alerts.get(0).status());
        assertEquals("n1", alerts.get(0).hostHint());
        assertEquals(Status.RESOLVED, alerts.get(1).status());
        assertEquals(Severity.INFO, alerts.get(1).severity());
        assertEquals("alertmanager:2", alerts.get(1).dedupeKey());
    }
}
