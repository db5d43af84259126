package io.fulfillmenthub.clusters;

import java.util.Map;

/** The body of {@code PATCH /clusters/{id}}: node set sizes, labels and annotations may change; nothing else. */
public class PatchRequest {

    public Meta metadata;
    public SpecPatch spec;

    public static class Meta {
        public Map<String, String> labels;
        public Map<String, String> annotations;
        public String name;
    }

    public static class SpecPatch {
        public Map<String, Cluster.NodeSetSpec> nodeSets;
        public Object template;
        public Object templateParameters;
        public Object duration;
    }
}
