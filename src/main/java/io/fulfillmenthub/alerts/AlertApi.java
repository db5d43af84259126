package io.fulfillmenthub.alerts;

import java.util.Locale;
import java.util.Set;

import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/** {@code /api/admin/v1/alerts}: normalized hardware alerts with their ticket and page references (sre, server-admin). */
@ApplicationScoped
@Named("alertApi")
public class AlertApi {

    static final Set<String> STATUSES = Set.of(Alert.FIRING, Alert.RESOLVED);
    static final Set<String> SEVERITIES = Set.of("CRITICAL", "WARNING", "INFO");

    @Inject
    Auth auth;
    @Inject
    AlertStore store;

    public void list(Exchange ex) {
        auth.require(ex, Role.SRE, Role.SERVER_ADMIN);
        Page page = Api.page(ex);
        AlertStore.Filter f = new AlertStore.Filter(oneOf(ex, "status", STATUSES), oneOf(ex, "severity", SEVERITIES),
                blank(query(ex, "host")));
        Api.json(ex, 200, Page.envelope(store.list(f, page), store.count(f)));
    }

    public void get(Exchange ex) {
        auth.require(ex, Role.SRE, Role.SERVER_ADMIN);
        String id = Api.header(ex, "id");
        Alert a = store.get(id);
        if (a == null) {
            throw ProblemException.notFound("alert", id);
        }
        Api.json(ex, 200, a);
    }

    private static String oneOf(Exchange ex, String name, Set<String> allowed) {
        String v = blank(query(ex, name));
        if (v == null) {
            return null;
        }
        String u = v.toUpperCase(Locale.ROOT);
        if (!allowed.contains(u)) {
            throw ProblemException.invalid(name, name + " must be one of " + String.join(", ", allowed.stream().sorted().toList()));
        }
        return u;
    }

    /**
     * A parameter of the query string itself: platform-http also maps query parameters to headers, where
     * {@code host} would be read from the request's {@code Host} header.
     */
    static String query(Exchange ex, String name) {
        String raw = ex.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
            if (k.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
