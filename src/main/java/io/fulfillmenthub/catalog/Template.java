package io.fulfillmenthub.catalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.fulfillmenthub.http.ProblemException;

/** A cluster template of the catalog: what a customer can order, in which sizes and for how long. */
public class Template {

    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public String id;
    /** The template's own version: publishing a template again makes a new version. */
    public Integer version;
    public String title;
    public String description;
    public Release release;
    public Map<String, NodeSet> nodeSets = new LinkedHashMap<>();
    public List<String> allowedDurations = new ArrayList<>();
    public String defaultDuration;
    public List<Parameter> parameters = new ArrayList<>();
    public boolean deprecated;
    /** Output only: when this version was published. */
    public Instant creationTimestamp;

    public static class Release {
        public String version;
        public String image;
    }

    public static class NodeSet {
        public String hostClass;
        public int defaultSize;
        public int minSize;
        public int maxSize;
    }

    public static class Parameter {
        public String name;
        /** string, integer or boolean */
        public String type = "string";
        public String description;
        public boolean required;
        public Object defaultValue;
        public List<Object> allowedValues;
    }

    /** Checks a template before it is published; refusals name the field. */
    public void validate() {
        if (id == null || !NAME.matcher(id).matches()) {
            throw ProblemException.invalid("id", "id must be a lowercase DNS label (a-z, 0-9, '-', at most 63)");
        }
        if (title == null || title.isBlank()) {
            throw ProblemException.invalid("title", "title is required");
        }
        if (release == null || blank(release.version) || blank(release.image)) {
            throw ProblemException.invalid("release", "release.version and release.image are required");
        }
        if (nodeSets == null || nodeSets.isEmpty()) {
            throw ProblemException.invalid("node_sets", "at least one node set is required");
        }
        for (Map.Entry<String, NodeSet> e : nodeSets.entrySet()) {
            String f = "node_sets." + e.getKey();
            NodeSet n = e.getValue();
            if (!NAME.matcher(e.getKey()).matches() || e.getKey().length() > 30) {
                throw ProblemException.invalid(f, "node set names are lowercase DNS labels of at most 30 characters");
            }
            if (n == null || blank(n.hostClass)) {
                throw ProblemException.invalid(f + ".host_class", "host_class is required");
            }
            if (n.minSize < 0 || n.minSize > n.defaultSize || n.defaultSize > n.maxSize || n.maxSize > 500) {
                throw ProblemException.invalid(f, "sizes must satisfy 0 <= min_size <= default_size <= max_size <= 500");
            }
        }
        if (allowedDurations == null || allowedDurations.isEmpty()) {
            throw ProblemException.invalid("allowed_durations", "at least one allowed duration is required");
        }
        List<String> canonical = new ArrayList<>();
        for (int i = 0; i < allowedDurations.size(); i++) {
            LeaseDuration d = LeaseDuration.parse(allowedDurations.get(i));
            if (d == null) {
                throw ProblemException.invalid("allowed_durations[" + i + "]",
                        "'" + allowedDurations.get(i) + "' is not an ISO 8601 duration such as P30D or PT1M");
            }
            canonical.add(d.toString());
        }
        allowedDurations = canonical;
        if (defaultDuration == null) {
            defaultDuration = allowedDurations.get(0);
        } else {
            LeaseDuration d = LeaseDuration.parse(defaultDuration);
            if (d == null || !allowedDurations.contains(d.toString())) {
                throw ProblemException.invalid("default_duration", "default_duration must be one of allowed_durations");
            }
            defaultDuration = d.toString();
        }
        if (parameters == null) {
            parameters = new ArrayList<>();
        }
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            String f = "parameters[" + i + "]";
            if (p == null || blank(p.name) || !p.name.matches("[a-z][a-z0-9_]{0,62}")) {
                throw ProblemException.invalid(f + ".name", "parameter names are snake_case identifiers");
            }
            if (!List.of("string", "integer", "boolean").contains(p.type)) {
                throw ProblemException.invalid(f + ".type", "type must be string, integer or boolean");
            }
            if (p.defaultValue != null && !Parameters.matches(p, p.defaultValue)) {
                throw ProblemException.invalid(f + ".default_value", "default_value does not match the type");
            }
        }
    }

    public NodeSet nodeSet(String name) {
        return nodeSets.get(name);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
