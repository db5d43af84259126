package io.fulfillmenthub.inventory;

import java.util.List;
import java.util.Locale;

import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.provisioning.ManagementHub;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Caller;
import io.fulfillmenthub.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/** The provider's view of the hardware: {@code /api/admin/v1/hosts}. */
@ApplicationScoped
@Named("hostApi")
public class HostApi {

    @Inject
    Auth auth;
    @Inject
    InventoryStore store;
    @Inject
    Inventory inventory;
    @Inject
    OpenAlerts openAlerts;
    @Inject
    ManagementHub hub;

    public void list(Exchange ex) {
        auth.require(ex, Role.SRE, Role.SERVER_ADMIN, Role.NETWORK_ADMIN);
        hub.awaitInventorySynced(); // just after start: the hosts table is filled from the hub once first
        Page page = Api.page(ex);
        String state = Api.query(ex, "state");
        if (state != null && !state.isBlank()) {
            try {
                state = HostState.valueOf(state.trim().toUpperCase(Locale.ROOT)).name();
            } catch (IllegalArgumentException e) {
                throw ProblemException.invalid("state", "state must be AVAILABLE, RESERVED, OFFLINE or MAINTENANCE");
            }
        } else {
            state = null;
        }
        InventoryStore.Filter f = new InventoryStore.Filter(blank(Api.query(ex, "host_class")), state,
                blank(Api.query(ex, "cluster")));
        List<Host> hosts = store.list(f, page);
        openAlerts.fill(hosts);
        Api.json(ex, 200, Page.envelope(hosts, store.count(f)));
    }

    public void get(Exchange ex) {
        auth.require(ex, Role.SRE, Role.SERVER_ADMIN, Role.NETWORK_ADMIN);
        String id = Api.header(ex, "id");
        hub.awaitInventorySynced();
        Host h = store.get(id);
        if (h == null) {
            throw ProblemException.notFound("host", id);
        }
        openAlerts.fill(List.of(h));
        Api.json(ex, 200, h);
    }

    /** PATCH {"spec":{"state":"OFFLINE","reason":"disk errors"}}: a host in a cluster is replaced first. */
    public void patch(Exchange ex) {
        Caller caller = auth.require(ex, Role.SRE, Role.SERVER_ADMIN);
        String id = Api.header(ex, "id");
        HostPatch p = Api.body(ex, HostPatch.class, true);
        if (p.spec == null || p.spec.state == null) {
            throw ProblemException.invalid("spec.state", "spec.state (AVAILABLE, OFFLINE or MAINTENANCE) is required");
        }
        HostState target;
        try {
            target = HostState.valueOf(p.spec.state.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("spec.state", "spec.state must be AVAILABLE, OFFLINE or MAINTENANCE");
        }
        if (target.outOfService() && (p.spec.reason == null || p.spec.reason.isBlank())) {
            throw ProblemException.invalid("spec.reason", "say why the host leaves service");
        }
        Inventory.Change change = inventory.setState(id, target, p.spec.reason, caller.subject());
        Host h = change.host();
        openAlerts.fill(List.of(h));
        Api.json(ex, 200, h);
        if (change.replacedBy() != null) {
            Api.responseHeader(ex, "Hub-Replaced-By", change.replacedBy());
        }
    }

    public static class HostPatch {
        public SpecPatch spec;

        public static class SpecPatch {
            public String state;
            public String reason;
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
