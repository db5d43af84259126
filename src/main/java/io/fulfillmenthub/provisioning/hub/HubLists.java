package io.fulfillmenthub.provisioning.hub;

import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Listable;

/**
 * Lists of the management hub's objects in pages ({@code limit} and {@code continue}), so that no single answer grows
 * with the inventory: a real hub holds thousands of Agents, and one answer of megabytes is slow to serve, slow to
 * parse and, on a stalled connection, all lost. An API server that does not page (the embedded one) answers with
 * everything at once and no continue token, which ends the loop after one call. When the snapshot behind a continue
 * token has expired meanwhile (410 Gone) the list starts again, so the result is always one consistent snapshot.
 */
public final class HubLists {

    /** Objects per page. */
    public static final long PAGE = 250;
    /** Fresh starts after an expired continue token (410 Gone) before giving up. */
    static final int MAX_RESTARTS = 3;

    private HubLists() {
    }

    public static List<GenericKubernetesResource> all(Listable<GenericKubernetesResourceList> op) {
        return all(op, PAGE);
    }

    static List<GenericKubernetesResource> all(Listable<GenericKubernetesResourceList> op, long pageSize) {
        List<GenericKubernetesResource> out = new ArrayList<>();
        String next = null;
        int restarts = 0;
        while (true) {
            GenericKubernetesResourceList page;
            try {
                page = op.list(new ListOptionsBuilder().withLimit(pageSize).withContinue(next).build());
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_GONE || next == null || ++restarts > MAX_RESTARTS) {
                    throw e;
                }
                // the snapshot behind the continue token has expired (410): list again from the start
                out.clear();
                next = null;
                continue;
            }
            out.addAll(page.getItems());
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
            if (next == null || next.isEmpty()) {
                return out;
            }
        }
    }
}
