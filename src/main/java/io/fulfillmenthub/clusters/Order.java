package io.fulfillmenthub.clusters;

import java.util.Map;

import io.fulfillmenthub.catalog.Template;

/** An order on its way through the intake pipeline: from the API or from a billing event. */
public class Order {
    public String tenant;
    public String name;
    public Map<String, String> labels;
    public Map<String, String> annotations;
    public OrderRequest.SpecIn spec;
    /** {@code api} or {@code billing} */
    public String source;
    /** The billing reference, or the Idempotency-Key of an API order. */
    public String reference;
    public String idempotencyKey;
    public String requestHash;
    /** A cluster id chosen by the caller (billing links its payments to it); generated when null. */
    public String clusterId;

    // resolved by validation
    public Template template;
    public Cluster.Spec resolved;

    /** What the intake produced: the cluster, and whether this call created it. */
    public record Placed(Cluster cluster, boolean created) {
    }
}
