package io.fulfillmenthub.provisioning.hub;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.dsl.Listable;

/**
 * Lists of the management hub's objects in pages ({@code limit} and {@code continue}), so that no single answer grows
 * with the inventory: a real hub holds thousands of Agents, and one answer of megabytes is slow to serve, slow to
 * parse and, on a stalled connection, all lost. An API server that does not page (the embedded one) answers with
 * everything at once and no continue token, which ends the loop after one call.
 */
public final class HubLists {

    /** Objects per page. */
    public static final long PAGE = 250;

    private HubLists() {
    }

    public static List<GenericKubernetesResource> all(Listable<GenericKubernetesResourceList> op) {
        return all(op, PAGE);
    }

    static List<GenericKubernetesResource> all(Listable<GenericKubernetesResourceList> op, long pageSize) {
        List<GenericKubernetesResource> out = new ArrayList<>();
        String next = null;
        do {
            GenericKubernetesResourceList page = op.list(new ListOptionsBuilder().withLimit(pageSize)
                    .withContinue(next).build());
            out.addAll(page.getItems());
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
        return out;
    }
}
