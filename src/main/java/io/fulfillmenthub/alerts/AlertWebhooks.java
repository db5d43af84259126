package io.fulfillmenthub.alerts;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulfillmenthub.alerts.normalize.AlertmanagerParser;
import io.fulfillmenthub.alerts.normalize.InvalidAlertPayloadException;
import io.fulfillmenthub.alerts.normalize.NormalizedAlert;
import io.fulfillmenthub.alerts.normalize.RedfishParser;
import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.store.IntakePace;
import io.fulfillmenthub.store.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/**
 * {@code POST /webhooks/alertmanager} and {@code POST /webhooks/redfish}: authenticate (401), parse and normalize
 * (400 naming the field), record in the inbox (one insert per alert instance), answer 202. Nothing is stored on a
 * refusal; processing happens later, so the sender never waits for tickets or pages.
 */
@ApplicationScoped
@Named("alertWebhooks")
public class AlertWebhooks {

    /** Header a BMC (or a proxy in front of it) may use to say which BMC posted. */
    public static final String BMC_HEADER = "X-Bmc-Address";
    static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";
    private static final Pattern ADDRESS = Pattern.compile(
            "^([a-z][a-z0-9+.-]*://)?(\\[[0-9a-f:.]+]|[0-9a-f:]*:[0-9a-f:]+|[a-z0-9-]+(\\.[a-z0-9-]+)+)(:[0-9]+)?(/.*)?$",
            Pattern.CASE_INSENSITIVE);

    private final AlertmanagerParser alertmanager = new AlertmanagerParser();
    private final RedfishParser redfish = new RedfishParser();

    @Inject
    AlertTokens tokens;
    @Inject
    AlertInbox inbox;

    public void alertmanager(Exchange ex) {
        IntakePace.HUB.arrived();
        try {
            tokens.requireAlertmanager(ex);
        } catch (ProblemException e) {
            inbox.count("alertmanager", "unauthorized", 1);
            throw e;
        }
        byte[] raw = Api.rawBody(ex);
        List<NormalizedAlert> alerts;
        try {
            alerts = alertmanager.parse(raw, Instant.now());
        } catch (InvalidAlertPayloadException e) {
            inbox.count("alertmanager", "invalid", 1);
            throw ProblemException.invalid(e.field(), e.getMessage());
        }
        accept(ex, alerts);
    }

    public void redfish(Exchange ex) {
        IntakePace.HUB.arrived();
        try {
            tokens.requireRedfish(ex);
        } catch (ProblemException e) {
            inbox.count("redfish", "unauthorized", 1);
            throw e;
        }
        byte[] raw = Api.rawBody(ex);
        String bmc = bmcAddress(ex, raw);
        if (bmc == null) {
            inbox.count("redfish", "invalid", 1);
            throw ProblemException.invalid(BMC_HEADER, "the posting BMC is unknown: send " + BMC_HEADER
                    + " or a Context naming the BMC");
        }
        List<NormalizedAlert> alerts;
        try {
            alerts = redfish.parse(raw, bmc, Instant.now());
        } catch (InvalidAlertPayloadException e) {
            inbox.count("redfish", "invalid", 1);
            throw ProblemException.invalid(e.field(), e.getMessage());
        }
        accept(ex, alerts);
    }

    private void accept(Exchange ex, List<NormalizedAlert> alerts) {
        AlertInbox.Recorded r = alerts.isEmpty() ? new AlertInbox.Recorded(0, 0, 0) : inbox.record(alerts);
        Api.json(ex, 202, r);
    }

    /** {@code X-Bmc-Address}, else the body's {@code Context} when it names an address, else the peer address. */
    static String bmcAddress(Exchange ex, byte[] raw) {
        String header = Api.header(ex, BMC_HEADER);
        if (header != null && !header.isBlank()) {
            return header.trim();
        }
        try {
            JsonNode root = Json.MAPPER.readTree(raw);
            JsonNode ctx = root == null ? null : root.get("Context");
            if (ctx != null && ctx.isTextual() && ADDRESS.matcher(ctx.asText().trim()).matches()) {
                return ctx.asText().trim();
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            // the parser reports the body's problem with its field
        }
        Object peer = ex.getMessage().getHeader(REMOTE_ADDRESS);
        if (peer instanceof io.vertx.core.net.SocketAddress va) {
            return va.hostAddress() != null ? va.hostAddress() : va.host();
        }
        if (peer instanceof InetSocketAddress isa) {
            return isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString();
        }
        if (peer instanceof SocketAddress sa) {
            return sa.toString();
        }
        return peer == null ? null : peer.toString();
    }
}
