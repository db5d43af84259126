package io.fulfillmenthub.clusters;

import java.util.Map;

/** The body of {@code POST /clusters}. Unknown fields are refused. */
public class OrderRequest {

    public Meta metadata;
    public SpecIn spec;

    public static class Meta {
        public String name;
        public Map<String, String> labels;
        public Map<String, String> annotations;
    }

    public static class SpecIn {
        public String template;
        public Map<String, Object> templateParameters;
        public Map<String, Cluster.NodeSetSpec> nodeSets;
        public String duration;
    }
}
