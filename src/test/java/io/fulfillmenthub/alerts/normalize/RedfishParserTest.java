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
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RedfishParserTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Instant RECEIVED = Instant.parse("2026-11-26T20:00:00Z");
    static final String BMC = "10.20.0.17";
    static final String DRIVE = "/redfish/v1/Systems/System.Embedded.1/Storage/RAID.SL.3-1/Drives/Disk.Bay.3";
    final RedfishParser parser = new RedfishParser();

    static byte[] sample(String path, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(Samples.bytes(path));
        edit.accept(root);
        return MAPPER.writeValueAsBytes(root);
    }

    static ObjectNode firstEvent(ObjectNode root) {
        return (ObjectNode) root.get("Events").get(0);
    }

    /** One event body with the given MessageId, origin and severity (null = leave out). */
    static byte[] event(String messageId, String origin, String messageSeverity) throws Exception {
        ObjectNode root = MAPPER.createObjectNode().put("@odata.type", "#Event.v1_7_0.Event").put("Id", "1");
        ObjectNode e = root.putArray("Events").addObject()
                .put("EventId", "9").put("EventTimestamp", "2026-11-26T12:00:00Z").put("MessageId", messageId);
        if (origin != null) {
            e.putObject("OriginOfCondition").put("@odata.id", origin);
        }
        if (messageSeverity != null) {
            e.put("MessageSeverity", messageSeverity);
        }
        return MAPPER.writeValueAsBytes(root);
    }

    NormalizedAlert one(byte[] body) throws Exception {
        List<NormalizedAlert> alerts = parser.parse(body, BMC, RECEIVED);
        assertEquals(1, alerts.size());
        return alerts.get(0);
    }

    @Test
    void driveFailureSample() throws Exception {
        NormalizedAlert a = one(Samples.bytes("redfish/drive-failure.json"));
        assertEquals("redfish|10.20.0.17|" + DRIVE + "|DriveFailure", a.dedupeKey());
        assertEquals(Source.REDFISH, a.source());
        assertEquals("redfish", a.source().id());
        assertEquals(BMC, a.hostHint());
        assertEquals(BMC, a.bmcAddress());
        assertEquals(DRIVE, a.originOfCondition());
        assertEquals("DriveFailure", a.condition());
        assertEquals(Severity.CRITICAL, a.severity());
        assertEquals(Status.FIRING, a.status());
        assertEquals("The drive located in 'Bay 3' has failed.", a.summary());
        assertTrue(a.description().contains("StorageDevice.1.5.DriveFailure"), a.description());
        assertEquals(Instant.parse("2026-11-26T16:14:02Z"), a.startsAt()); // -0600 without colon
        assertNull(a.endsAt());
        assertFalse(a.timestampEstimated());
        assertEquals(RECEIVED, a.receivedAt());
        assertEquals("StorageDevice", a.labels().get("registry"));
        assertEquals("1.5", a.labels().get("registryVersion"));
        assertEquals("DriveFailure", a.labels().get("messageKey"));
        assertEquals("fulfillment-hub", a.labels().get("context"));
        assertEquals("Alert", a.labels().get("eventType"));
        assertEquals("5512", a.labels().get("eventId"));
        assertEquals("Bay 3", a.labels().get("messageArgs"));
        assertTrue(a.raw().contains("StorageDevice.1.5.DriveFailure"));
    }

    @Test
    void driveOkSampleResolvesTheSameKey() throws Exception {
        NormalizedAlert failure = one(Samples.bytes("redfish/drive-failure.json"));
        List<NormalizedAlert> cleared = parser.parse(Samples.bytes("redfish/drive-ok.json"), BMC, RECEIVED);
        assertEquals(2, cleared.size(), "DriveOK clears DriveFailure and DrivePredictiveFailure");
        NormalizedAlert ok = cleared.get(0);
        assertEquals(failure.dedupeKey(), ok.dedupeKey());
        assertEquals(Status.RESOLVED, ok.status());
        assertEquals("DriveFailure", ok.condition());
        assertEquals(DRIVE, ok.originOfCondition()); // plain-string OriginOfCondition
        assertEquals(Severity.INFO, ok.severity());
        assertNull(ok.startsAt());
        assertEquals(Instant.parse("2026-11-26T19:40:11Z"), ok.endsAt());
        assertEquals("DrivePredictiveFailure", cleared.get(1).condition());
        assertEquals("redfish|10.20.0.17|" + DRIVE + "|DrivePredictiveFailure", cleared.get(1).dedupeKey());
    }

    @Test
    void bmcAddressIsNormalizedAndRequired() throws Exception {
        byte[] body = Samples.bytes("redfish/drive-failure.json");
        assertEquals(one(body).dedupeKey(), parser.parse(body, " 10.20.0.17 ", RECEIVED).get(0).dedupeKey());
        assertEquals("bmc-7.example", parser.parse(body, "BMC-7.Example", RECEIVED).get(0).bmcAddress());
        assertNotEquals(one(body).dedupeKey(), parser.parse(body, "10.20.0.18", RECEIVED).get(0).dedupeKey());
        assertThrows(IllegalArgumentException.class, () -> parser.parse(body, " ", RECEIVED));
        assertThrows(IllegalArgumentException.class, () -> parser.parse(body, null, RECEIVED));
    }

    @Test
    void severityFromDeprecatedFieldThenRegistryDefault() throws Exception {
        NormalizedAlert deprecatedOnly = one(sample("redfish/drive-failure.json", r -> {
            firstEvent(r).remove("MessageSeverity");
            firstEvent(r).put("Severity", "Warning");
        }));
        assertEquals(Severity.WARNING, deprecatedOnly.severity());
        assertEquals("Warning", deprecatedOnly.labels().get("deprecatedSeverity"));
        NormalizedAlert neither = one(sample("redfish/drive-failure.json", r -> {
            firstEvent(r).remove("MessageSeverity");
            firstEvent(r).remove("Severity");
        }));
        assertEquals(Severity.CRITICAL, neither.severity());
        assertEquals(Severity.WARNING, one(event("StorageDevice.1.5.DrivePredictiveFailure", DRIVE, null)).severity());
        assertEquals(Severity.WARNING, one(event("StorageDevice.1.2.VolumeDegraded", "/redfish/v1/V/1", null)).severity());
        assertEquals(Severity.INFO, one(event("StorageDevice.1.2.DriveFailureCleared", DRIVE, null)).severity());
        assertEquals(Severity.WARNING, one(event("Oem.1.0.SomethingOdd", DRIVE, null)).severity());
    }

    @Test
    void messageSeverityWins() throws Exception {
        assertEquals(Severity.WARNING, one(event("StorageDevice.1.5.DriveRemoved", DRIVE, "Warning")).severity());
        assertEquals(Severity.INFO, one(event("StorageDevice.1.5.DriveRemoved", DRIVE, "OK")).severity());
    }

    @Test
    void clearingMessagesShareTheKey() throws Exception {
        String[][] pairs = {
                {"StorageDevice.1.5.DriveFailure", "StorageDevice.1.5.DriveFailureCleared"},
                {"StorageDevice.1.5.DrivePredictiveFailure", "StorageDevice.1.5.DrivePredictiveFailureCleared"},
                {"StorageDevice.1.5.DriveRemoved", "StorageDevice.1.5.DriveInserted"},
                {"StorageDevice.1.5.DriveMissing", "StorageDevice.1.5.DriveInserted"},
                {"StorageDevice.1.5.DriveMissing", "StorageDevice.1.5.DriveMissingCleared"},
                {"StorageDevice.1.5.DriveOffline", "StorageDevice.1.5.DriveOfflineCleared"},
                {"StorageDevice.1.5.VolumeFailure", "StorageDevice.1.5.VolumeOK"},
                {"StorageDevice.1.5.VolumeDegraded", "StorageDevice.1.5.VolumeOK"},
                {"StorageDevice.1.5.ControllerFailure", "StorageDevice.1.5.ControllerOK"},
                {"ResourceEvent.1.3.ResourceStatusChangedCritical", "ResourceEvent.1.3.ResourceStatusChangedOK"},
                {"ResourceEvent.1.3.ResourceStatusChangedWarning", "ResourceEvent.1.3.ResourceStatusChangedOK"},
                {"Oem.1.0.FanFailure", "Oem.1.0.FanFailureCleared"},
        };
        for (String[] pair : pairs) {
            NormalizedAlert raised = one(event(pair[0], DRIVE, null));
            assertEquals(Status.FIRING, raised.status(), pair[0]);
            List<NormalizedAlert> cleared = parser.parse(event(pair[1], DRIVE, "OK"), BMC, RECEIVED);
            assertTrue(cleared.stream().allMatch(c -> c.status() == Status.RESOLVED), pair[1]);
            assertTrue(cleared.stream().anyMatch(c -> c.dedupeKey().equals(raised.dedupeKey())),
                    pair[1] + " must resolve " + pair[0]);
        }
    }

    @Test
    void resourceStatusEscalationKeepsOneKey() throws Exception {
        NormalizedAlert warning = one(event("ResourceEvent.1.0.ResourceStatusChangedWarning", DRIVE, "Warning"));
        NormalizedAlert critical = one(event("ResourceEvent.1.0.ResourceStatusChangedCritical", DRIVE, "Critical"));
        assertEquals(warning.dedupeKey(), critical.dedupeKey());
        assertEquals("ResourceStatusChanged", critical.condition());
        assertEquals(Severity.CRITICAL, critical.severity());
    }

    @Test
    void differentFamiliesOrOriginsDoNotCollide() throws Exception {
        NormalizedAlert failure = one(event("StorageDevice.1.5.DriveFailure", DRIVE, null));
        assertNotEquals(failure.dedupeKey(), one(event("StorageDevice.1.5.DriveRemoved", DRIVE, null)).dedupeKey());
        assertNotEquals(failure.dedupeKey(),
                one(event("StorageDevice.1.5.DriveFailure", DRIVE.replace("Bay.3", "Bay.4"), null)).dedupeKey());
        // a trailing slash is the same resource
        assertEquals(failure.dedupeKey(), one(event("StorageDevice.1.5.DriveFailure", DRIVE + "/", null)).dedupeKey());
    }

    @Test
    void unknownMessageFiresWithItsKey() throws Exception {
        NormalizedAlert a = one(event("iDRAC.2.8.PDR1001", DRIVE, "Critical"));
        assertEquals("PDR1001", a.condition());
        assertEquals(Status.FIRING, a.status());
        assertEquals("iDRAC", a.labels().get("registry"));
        assertEquals("2.8", a.labels().get("registryVersion"));
        assertEquals("PDR1001 on " + DRIVE, a.summary());
        assertEquals("DriveFailure", one(event("DriveFailure", DRIVE, null)).condition());
    }

    @Test
    void missingOriginFallsBackToTheLocationArgument() throws Exception {
        NormalizedAlert raised = one(sample("redfish/drive-failure.json", r -> firstEvent(r).remove("OriginOfCondition")));
        assertNull(raised.originOfCondition());
        assertEquals("redfish|10.20.0.17|arg:Bay 3|DriveFailure", raised.dedupeKey());
        List<NormalizedAlert> cleared = parser.parse(
                sample("redfish/drive-ok.json", r -> firstEvent(r).remove("OriginOfCondition")), BMC, RECEIVED);
        assertEquals(raised.dedupeKey(), cleared.get(0).dedupeKey());
    }

    @Test
    void lenientTimestamps() throws Exception {
        NormalizedAlert noOffset = one(sample("redfish/drive-failure.json",
                r -> firstEvent(r).put("EventTimestamp", "2026-11-26T10:14:02")));
        assertEquals(Instant.parse("2026-11-26T10:14:02Z"), noOffset.startsAt());
        assertFalse(noOffset.timestampEstimated());
        for (String bad : new String[] {"not a time", "1970-01-01T00:00:00Z", ""}) {
            NormalizedAlert garbage = one(sample("redfish/drive-failure.json",
                    r -> firstEvent(r).put("EventTimestamp", bad)));
            assertEquals(RECEIVED, garbage.startsAt(), bad);
            assertTrue(garbage.timestampEstimated(), bad);
        }
        NormalizedAlert missing = one(sample("redfish/drive-failure.json", r -> firstEvent(r).remove("EventTimestamp")));
        assertTrue(missing.timestampEstimated());
        List<NormalizedAlert> clearedGarbage = parser.parse(sample("redfish/drive-ok.json",
                r -> firstEvent(r).put("EventTimestamp", "garbage")), BMC, RECEIVED);
        assertEquals(RECEIVED, clearedGarbage.get(0).endsAt());
        assertTrue(clearedGarbage.get(0).timestampEstimated());
    }

    @Test
    void missingFieldsAreNamed() throws Exception {
        assertEquals("Events[0].MessageId", assertThrows(MissingAlertFieldException.class, () -> parser.parse(
                sample("redfish/drive-failure.json", r -> firstEvent(r).remove("MessageId")), BMC, RECEIVED)).field());
        assertEquals("Events", assertThrows(MissingAlertFieldException.class, () -> parser.parse(
                sample("redfish/drive-failure.json", r -> r.remove("Events")), BMC, RECEIVED)).field());
        assertEquals("Events[1]", assertThrows(InvalidAlertPayloadException.class, () -> parser.parse(
                sample("redfish/drive-failure.json", r -> r.withArray("Events").add("oops")), BMC, RECEIVED)).field());
        for (String bad : new String[] {"", "{", "[]", "<xml/>"}) {
            assertThrows(InvalidAlertPayloadException.class,
                    () -> parser.parse(bad.getBytes(StandardCharsets.UTF_8), BMC, RECEIVED), bad);
        }
    }

    @Test
    void severalEventsAndUnknownFields() throws Exception {
        List<NormalizedAlert> alerts = parser.parse(sample("redfish/drive-failure.json", r -> {
            r.put("Events@odata.count", 2).putObject("Oem").put("Vendor", "x");
            r.withArray("Events").addObject().put("MessageId", "StorageDevice.1.5.VolumeDegraded")
                    .put("EventTimestamp", "2026-11-26T10:15:00+0000").putArray("MessageArgs").add("VD0").add("RAID.1");
            firstEvent(r).put("Resolution", "Replace the drive.");
        }), BMC, RECEIVED);
        assertEquals(2, alerts.size());
        assertTrue(alerts.get(0).description().endsWith("Resolution: Replace the drive."), alerts.get(0).description());
        assertEquals("VolumeDegraded", alerts.get(1).condition());
        assertEquals("redfish|10.20.0.17|arg:VD0|VolumeDegraded", alerts.get(1).dedupeKey());
        assertEquals("fulfillment-hub", alerts.get(1).labels().get("context"));
    }

    @Test
    void messageRefs() {
        assertEquals(new RedfishParser.MessageRef("StorageDevice", "1.5", "DriveFailure"),
                RedfishParser.MessageRef.parse("StorageDevice.1.5.DriveFailure"));
        assertEquals(new RedfishParser.MessageRef("Base", "1.0.0", "Success"),
                RedfishParser.MessageRef.parse("Base.1.0.0.Success"));
        assertEquals(new RedfishParser.MessageRef(null, null, "DriveOK"), RedfishParser.MessageRef.parse("DriveOK"));
        assertEquals(new RedfishParser.MessageRef("Oem", null, "X"), RedfishParser.MessageRef.parse("Oem.X"));
    }
}
