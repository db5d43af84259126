package io.fulfillmenthub.catalog;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fulfillmenthub.http.ProblemException;

/** Checks and completes the template parameters of an order. */
public final class Parameters {

    private Parameters() {
    }

    static boolean matches(Template.Parameter p, Object value) {
        boolean typed = switch (p.type) {
            case "integer" -> value instanceof Integer || value instanceof Long;
            case "boolean" -> value instanceof Boolean;
            default -> value instanceof String;
        };
        return typed && (p.allowedValues == null || p.allowedValues.isEmpty() || p.allowedValues.contains(value));
    }

    /** The order's parameters checked against the template, with defaults filled in. */
    public static Map<String, Object> resolve(Template t, Map<String, Object> given) {
        Map<String, Object> in = given == null ? Map.of() : given;
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : in.keySet()) {
            if (t.parameters.stream().noneMatch(p -> p.name.equals(name))) {
                throw ProblemException.invalid("spec.template_parameters." + name,
                        "template '" + t.id + "' has no parameter '" + name + "'");
            }
        }
        for (Template.Parameter p : t.parameters) {
            Object v = in.get(p.name);
            if (v == null) {
                if (p.required && p.defaultValue == null) {
                    throw ProblemException.invalid("spec.template_parameters." + p.name, "parameter is required");
                }
                if (p.defaultValue != null) {
                    out.put(p.name, p.defaultValue);
                }
                continue;
            }
            if (!matches(p, v)) {
                throw ProblemException.invalid("spec.template_parameters." + p.name,
                        "must be a " + p.type + (p.allowedValues == null || p.allowedValues.isEmpty() ? ""
                                : " among " + p.allowedValues));
            }
            out.put(p.name, v);
        }
        return out;
    }
}
