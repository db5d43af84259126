package io.fulfillmenthub.flows;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.LogDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.TryDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.apache.camel.spi.Language;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Checks new YAML before it replaces anything: every route file parses into a scratch model (nothing is added to the
 * running context), and in it every endpoint's component exists and its placeholders resolve, every {@code kamelet:}
 * names a Kamelet that exists, every {@code direct:} called has a consumer, every bean exists with the named method,
 * every simple expression compiles, route ids and direct consumers do not clash with routes that stay. Kamelet files
 * must be Kamelets named as their file, declare their required properties, and their template must pass the same
 * checks.
 */
@ApplicationScoped
public class FlowValidator {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Inject
    CamelContext camel;

    /** A reason to refuse a file. */
    public record Problem(String file, String message) {
    }

    /** Route files parsed into definitions, per file. */
    public Map<String, List<RouteDefinition>> parse(Map<String, String> files, List<Problem> problems) {
        Map<String, List<RouteDefinition>> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            try {
                out.put(f.getKey(), parse(f.getKey(), f.getValue()));
            } catch (Exception e) {
                problems.add(new Problem(f.getKey(), "does not parse: " + message(e)));
            }
        }
        return out;
    }

    List<RouteDefinition> parse(String file, String yaml) throws Exception {
        Resource r = ResourceHelper.fromString("file:" + file, yaml);
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(camel).findRoutesBuilders(List.of(r));
        List<RouteDefinition> routes = new ArrayList<>();
        for (RoutesBuilder b : builders) {
            if (b instanceof RouteBuilder rb) {
                routes.addAll(rb.configureRoutes(camel).getRoutes());
            }
        }
        return routes;
    }

    /**
     * @param routes        the new route files (all of them)
     * @param kamelets      the new Kamelet files (name -> YAML)
     * @param packaged      whether a Kamelet of that name is packaged in the application (always resolvable)
     * @param replacedIds   ids of the running routes defined by the flow files (the new files redefine them)
     */
    public List<Problem> validate(Map<String, String> routes, Map<String, String> kamelets, Predicate<String> packaged,
            Set<String> replacedIds) {
        List<Problem> problems = new ArrayList<>();
        Set<String> kameletNames = new TreeSet<>();
        for (Map.Entry<String, String> k : kamelets.entrySet()) {
            String name = k.getKey().replaceFirst("\\.kamelet\\.ya?ml$", "");
            kameletNames.add(name);
            checkKamelet(k.getKey(), name, k.getValue(), problems);
        }
        Map<String, List<RouteDefinition>> parsed = parse(routes, problems);

        // ids and direct consumers: unique among the new files and against the routes that stay
        Set<String> staying = new TreeSet<>();
        Set<String> stayingDirect = new TreeSet<>();
        for (org.apache.camel.Route r : camel.getRoutes()) {
            if (!replacedIds.contains(r.getRouteId()) && !r.isCreatedByKamelet()) {
                staying.add(r.getRouteId());
                String from = r.getEndpoint().getEndpointUri();
                if (from.startsWith("direct:")) {
                    stayingDirect.add(directName(from));
                }
            }
        }
        Set<String> newIds = new TreeSet<>();
        Set<String> newDirect = new TreeSet<>();
        for (Map.Entry<String, List<RouteDefinition>> f : parsed.entrySet()) {
            for (RouteDefinition r : f.getValue()) {
                String id = r.getRouteId();
                if (id != null && (staying.contains(id) || !newIds.add(id))) {
                    problems.add(new Problem(f.getKey(), "route id '" + id + "' is already used by another route"));
                }
                String from = r.getInput() == null ? null : r.getInput().getEndpointUri();
                if (from == null) {
                    problems.add(new Problem(f.getKey(), "route " + id + " has no from"));
                    continue;
                }
                if (from.startsWith("direct:")) {
                    String name = directName(resolve(from));
                    if (stayingDirect.contains(name) || !newDirect.add(name)) {
                        problems.add(new Problem(f.getKey(), "direct:" + name + " already has a consumer"));
                    }
                }
            }
        }
        Set<String> consumers = new TreeSet<>(stayingDirect);
        consumers.addAll(newDirect);
        for (Map.Entry<String, List<RouteDefinition>> f : parsed.entrySet()) {
            for (RouteDefinition r : f.getValue()) {
                check(f.getKey(), r, name -> kameletNames.contains(name) || packaged.test(name), consumers, Set.of(),
                        problems);
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------------------------------------ kamelets

    void checkKamelet(String file, String name, String yaml, List<Problem> problems) {
        JsonNode k;
        try {
            k = YAML.readTree(yaml);
        } catch (Exception e) {
            problems.add(new Problem(file, "does not parse: " + message(e)));
            return;
        }
        if (k == null || !"Kamelet".equals(k.path("kind").asText())) {
            problems.add(new Problem(file, "kind must be Kamelet"));
            return;
        }
        if (!name.equals(k.path("metadata").path("name").asText())) {
            problems.add(new Problem(file, "metadata.name must be '" + name + "' (the file's name)"));
        }
        JsonNode props = k.path("spec").path("definition").path("properties");
        Set<String> names = new TreeSet<>();
        props.fieldNames().forEachRemaining(names::add);
        for (JsonNode req : k.path("spec").path("definition").path("required")) {
            if (!names.contains(req.asText())) {
                problems.add(new Problem(file, "required property '" + req.asText() + "' is not defined"));
            }
        }
        JsonNode from = k.path("spec").path("template").path("from");
        if (!from.isObject()) {
            problems.add(new Problem(file, "spec.template.from is missing"));
            return;
        }
        ObjectNode route = YAML.createObjectNode();
        route.put("id", "validate-kamelet-" + name);
        route.set("from", from);
        ArrayNode doc = YAML.createArrayNode();
        doc.addObject().set("route", route);
        String text;
        try {
            text = YAML.writeValueAsString(doc);
        } catch (Exception e) {
            problems.add(new Problem(file, message(e)));
            return;
        }
        for (String p : names) {
            text = text.replace("{{" + p + "}}", "kamelet-property");
        }
        try {
            for (RouteDefinition r : parse(name + "-template.yaml", text)) {
                check(file, r, n -> false, Set.of(), Set.of("source", "sink"), problems);
            }
        } catch (Exception e) {
            problems.add(new Problem(file, "template does not parse: " + message(e)));
        }
    }

    // ------------------------------------------------------------------------------------------------ routes

    private void check(String file, RouteDefinition r, Predicate<String> kamelets, Set<String> directConsumers,
            Set<String> virtualKamelets, List<Problem> problems) {
        String where = "route " + (r.getRouteId() == null ? "(no id)" : r.getRouteId());
        if (r.getInput() != null) {
            endpoint(file, where, r.getInput().getEndpointUri(), kamelets, null, virtualKamelets, problems);
        }
        for (Object node : all(r.getOutputs())) {
            if (node instanceof WhenDefinition w) {
                if (w.getExpression() != null) {
                    expression(file, where + ", when", w.getExpression(), true, problems);
                }
                continue;
            }
            ProcessorDefinition<?> p = (ProcessorDefinition<?>) node;
            String at = where + ", " + p.getShortName();
            if (p instanceof ToDefinition to) {
                endpoint(file, at, to.getEndpointUri(), kamelets, directConsumers, virtualKamelets, problems);
            } else if (p instanceof ToDynamicDefinition tod) {
                String uri = tod.getUri();
                if (uri != null && !uri.contains("${")) {
                    endpoint(file, at, uri, kamelets, directConsumers, virtualKamelets, problems);
                } else if (uri != null) {
                    String head = uri.substring(0, uri.indexOf("${"));
                    if (head.contains(":")) {
                        component(file, at, head.substring(0, head.indexOf(':')), problems);
                    }
                }
            } else if (p instanceof BeanDefinition b) {
                bean(file, at, b, problems);
            } else if (p instanceof LogDefinition log && log.getMessage() != null) {
                try {
                    camel.resolveLanguage("simple").createExpression(resolve(log.getMessage()));
                } catch (Exception e) {
                    problems.add(new Problem(file, at + ": log message: " + message(e)));
                }
            }
            if (p instanceof ExpressionNode en && en.getExpression() != null) {
                expression(file, at, en.getExpression(), p instanceof FilterDefinition, problems);
            }
        }
    }

    private void endpoint(String file, String at, String uri, Predicate<String> kamelets, Set<String> directConsumers,
            Set<String> virtualKamelets, List<Problem> problems) {
        if (uri == null) {
            problems.add(new Problem(file, at + ": no uri"));
            return;
        }
        String resolved;
        try {
            resolved = resolve(uri);
        } catch (Exception e) {
            problems.add(new Problem(file, at + ": " + message(e)));
            return;
        }
        int colon = resolved.indexOf(':');
        if (colon <= 0) {
            problems.add(new Problem(file, at + ": '" + uri + "' is not an endpoint URI"));
            return;
        }
        String scheme = resolved.substring(0, colon);
        if (!component(file, at, scheme, problems)) {
            return;
        }
        String rest = resolved.substring(colon + 1).replaceFirst("^//", "");
        String name = rest.split("[?/]", 2)[0];
        if ("kamelet".equals(scheme) && !virtualKamelets.contains(name) && !kamelets.test(name)) {
            problems.add(new Problem(file, at + ": no Kamelet named '" + name + "'"));
        }
        if ("direct".equals(scheme) && directConsumers != null && !directConsumers.contains(name)) {
            problems.add(new Problem(file, at + ": no route consumes direct:" + name));
        }
    }

    private boolean component(String file, String at, String scheme, List<Problem> problems) {
        try {
            if (camel.getComponent(scheme) != null) {
                return true;
            }
        } catch (Exception e) {
            // reported below
        }
        problems.add(new Problem(file, at + ": unknown component '" + scheme + "'"));
        return false;
    }

    private void bean(String file, String at, BeanDefinition b, List<Problem> problems) {
        Class<?> type = null;
        try {
            if (b.getRef() != null) {
                String ref = resolve(b.getRef());
                Object bean = camel.getRegistry().lookupByName(ref);
                if (bean == null) {
                    problems.add(new Problem(file, at + ": no bean named '" + ref + "'"));
                    return;
                }
                type = bean.getClass();
            } else if (b.getBeanType() != null) {
                type = camel.getClassResolver().resolveClass(resolve(b.getBeanType()));
                if (type == null) {
                    problems.add(new Problem(file, at + ": no class " + b.getBeanType()));
                    return;
                }
            }
        } catch (Exception e) {
            problems.add(new Problem(file, at + ": " + message(e)));
            return;
        }
        String method = b.getMethod();
        if (type != null && method != null && !method.isBlank()) {
            String name = method.contains("(") ? method.substring(0, method.indexOf('(')).trim() : method.trim();
            boolean found = false;
            for (Method m : type.getMethods()) {
                if (m.getName().equals(name)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                String shown = type.getName().replaceFirst("_ClientProxy$", "").replaceFirst("_Subclass$", "");
                problems.add(new Problem(file, at + ": " + shown + " has no method '" + name + "'"));
            }
        }
    }

    private void expression(String file, String at, ExpressionDefinition e, boolean predicate, List<Problem> problems) {
        String lang = e.getLanguage();
        String text = e.getExpression();
        if (lang == null || text == null) {
            return;
        }
        try {
            Language language = camel.resolveLanguage(lang);
            String t = resolve(text);
            if ("simple".equals(lang)) {
                if (predicate) {
                    language.createPredicate(t);
                } else {
                    language.createExpression(t);
                }
            }
        } catch (Exception ex) {
            problems.add(new Problem(file, at + ": " + lang + " '" + text + "': " + message(ex)));
        }
    }

    private String resolve(String text) {
        return text.contains("{{") ? camel.resolvePropertyPlaceholders(text) : text;
    }

    /** Every node under the outputs: processors, choices' when clauses and branches, try's catch/finally blocks. */
    static List<Object> all(List<ProcessorDefinition<?>> outputs) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<Object> out = new ArrayList<>();
        walk(outputs, seen, out);
        return out;
    }

    private static void walk(List<?> list, Map<Object, Boolean> seen, List<Object> out) {
        if (list == null) {
            return;
        }
        for (Object node : list) {
            if (node == null || seen.put(node, Boolean.TRUE) != null) {
                continue;
            }
            if (node instanceof WhenDefinition w) {
                out.add(w);
                walk(w.getOutputs(), seen, out);
                continue;
            }
            if (node instanceof org.apache.camel.model.OtherwiseDefinition o) {
                walk(o.getOutputs(), seen, out);
                continue;
            }
            if (!(node instanceof ProcessorDefinition<?> p)) {
                continue;
            }
            out.add(p);
            if (p instanceof ChoiceDefinition c) {
                walk(c.getWhenClauses(), seen, out);
                if (c.getOtherwise() != null) {
                    walk(List.of(c.getOtherwise()), seen, out);
                }
            }
            if (p instanceof TryDefinition t) {
                walk(t.getCatchClauses(), seen, out);
                if (t.getFinallyClause() != null) {
                    walk(List.of(t.getFinallyClause()), seen, out);
                }
            }
            walk(p.getOutputs(), seen, out);
        }
    }

    static String directName(String uri) {
        return uri.substring("direct:".length()).replaceFirst("^//", "").split("\\?", 2)[0];
    }

    static String message(Throwable e) {
        Throwable t = e;
        String msg = null;
        while (t != null) {
            if (t.getMessage() != null) {
                msg = t.getMessage();
            }
            if (t.getCause() == null || t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        String m = msg == null ? e.getClass().getSimpleName() : msg;
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > 500 ? m.substring(0, 500) + "..." : m;
    }

}
