package io.fulfillmenthub.flows.sinks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * The {@code jira-issue-sink} Kamelet's requests and answers (Jira REST API v2): create = {@code POST /rest/api/2/issue}
 * with {@code fields{project{key}, summary, description, issuetype{name}, labels}}; resolve = the issue's transitions
 * are listed ({@code GET /rest/api/2/issue/<key>/transitions}), the one named as configured (else the first leading to
 * a "done" status) is taken with a comment ({@code POST .../transitions}). Basic authentication (user + API token).
 */
public class JiraIssue {

    static final String ACTION = "jiraAction";
    static final String KEY = "jiraIssueKey";
    static final String COMMENT = "jiraComment";
    static final String AUTH = "jiraAuthorization";

    public void request(Exchange ex) {
        String base = Outbound.trimSlash(Outbound.prop(ex, "url"));
        String auth = Outbound.basic(Outbound.prop(ex, "username"), Outbound.prop(ex, "token"));
        String action = Outbound.header(ex, "JiraAction");
        action = action == null ? "create" : action.toLowerCase(Locale.ROOT);
        String timeout = Outbound.optional(ex, "timeoutMillis");
        ex.setProperty(ACTION, action);
        if ("resolve".equals(action)) {
            String key = Outbound.segment(Outbound.header(ex, "JiraIssueKey"), "JiraIssueKey");
            ex.setProperty(KEY, key);
            ex.setProperty(COMMENT, ex.getMessage().getBody(String.class));
            ex.setProperty(AUTH, auth);
            Outbound.request(ex, "GET", base + "/rest/api/2/issue/" + key + "/transitions", auth, null, timeout);
        } else if ("create".equals(action)) {
            Map<String, Object> in = Outbound.objectBody(ex);
            if (in.get("summary") == null) {
                throw new IllegalArgumentException("summary is required");
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("project", Map.of("key", Outbound.prop(ex, "project")));
            fields.put("summary", in.get("summary"));
            if (in.get("description") != null) {
                fields.put("description", in.get("description"));
            }
            fields.put("issuetype", Map.of("name", in.getOrDefault("issuetype", Outbound.prop(ex, "issueType"))));
            if (in.get("labels") != null) {
                fields.put("labels", in.get("labels"));
            }
            if (in.get("priority") != null) {
                fields.put("priority", Map.of("name", in.get("priority")));
            }
            Outbound.request(ex, "POST", base + "/rest/api/2/issue", auth, Map.of("fields", fields), timeout);
        } else {
            throw new IllegalArgumentException("JiraAction must be create or resolve");
        }
        Outbound.forget(ex, "username", "token");
    }

    /** After the transitions were listed: takes the resolving one. */
    @SuppressWarnings("unchecked")
    public void transition(Exchange ex) {
        String base = Outbound.trimSlash(Outbound.prop(ex, "url"));
        String wanted = Outbound.optional(ex, "resolveTransition");
        Map<String, Object> answer = Outbound.answer(ex);
        List<Map<String, Object>> transitions = answer.get("transitions") instanceof List<?> l
                ? (List<Map<String, Object>>) l : List.of();
        String id = null;
        for (Map<String, Object> t : transitions) {
            if (wanted != null && wanted.equalsIgnoreCase(String.valueOf(t.get("name")))) {
                id = String.valueOf(t.get("id"));
                break;
            }
        }
        if (id == null) {
            for (Map<String, Object> t : transitions) {
                Object to = t.get("to");
                Object category = to instanceof Map<?, ?> m ? m.get("statusCategory") : null;
                Object key = category instanceof Map<?, ?> c ? c.get("key") : null;
                if ("done".equals(key)) {
                    id = String.valueOf(t.get("id"));
                    break;
                }
            }
        }
        if (id == null) {
            throw new IllegalArgumentException("the issue has no transition named '" + wanted + "' nor one to a done status");
        }
        String key = ex.getProperty(KEY, String.class);
        String comment = ex.getProperty(COMMENT, String.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("transition", Map.of("id", id));
        if (comment != null && !comment.isBlank()) {
            body.put("update", Map.of("comment", List.of(Map.of("add", Map.of("body", comment)))));
        }
        Outbound.request(ex, "POST", base + "/rest/api/2/issue/" + key + "/transitions",
                ex.getProperty(AUTH, String.class), body, Outbound.optional(ex, "timeoutMillis"));
        Outbound.forget(ex, AUTH);
    }

    public void response(Exchange ex) {
        Outbound.forget(ex, AUTH);
        if ("resolve".equals(ex.getProperty(ACTION, String.class))) {
            Outbound.reply(ex, Map.of("key", ex.getProperty(KEY, String.class), "resolved", true));
        } else {
            Outbound.reply(ex, Outbound.answer(ex));
        }
    }
}
