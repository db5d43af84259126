package io.fulfillmenthub.notifications;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

/**
 * What the notification route does with an outbox event: queue a mail to the purchaser (cluster ready, expiring) or
 * a chat message to the operations channel (provisioning failed). One sink job per event and channel (the job key
 * names the event), so handling an event twice sends once.
 */
@ApplicationScoped
@Named("notifier")
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);
    /** The cluster annotation naming the purchaser's address. */
    public static final String CONTACT_ANNOTATION = "hub.fulfillment.io/contact-email";
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s<>,;\"]+@[^@\\s<>,;\"]+\\.[^@\\s<>,;\"]+$");

    @Inject
    Db db;
    @Inject
    SinkSettings settings;
    @Inject
    SinkJobs jobs;

    /** {@code cluster.ready}: the purchaser learns the console URL. */
    public void clusterReady(NotificationFeed.OutboxEvent e) {
        JsonNode k = e.getData();
        String name = text(k, "metadata", "name");
        String console = text(k, "status", "console_url");
        String api = text(k, "status", "api_url");
        String expires = text(k, "status", "expires_at");
        String subject = "Your OpenShift cluster " + name + " is ready";
        String text = """
                Hello,

                your cluster "%s" (%s) is ready.

                Console: %s
                API:     %s
                Expires: %s

                The admin kubeconfig and password are at /api/fulfillment/v1/clusters/%s/kubeconfig and /password.

                -- Fulfillment Hub
                """.formatted(name, e.getSubject(), orDash(console), orDash(api), orDash(expires), e.getSubject());
        String html = "<p>Hello,</p><p>your cluster <b>" + esc(name) + "</b> (" + esc(e.getSubject()) + ") is ready.</p>"
                + "<ul><li>Console: " + link(console) + "</li><li>API: " + esc(orDash(api)) + "</li><li>Expires: "
                + esc(orDash(expires)) + "</li></ul><p>-- Fulfillment Hub</p>";
        mail(e, k, subject, text, html);
    }

    /** {@code cluster.expiring}: the purchaser is told before the lease ends. */
    public void clusterExpiring(NotificationFeed.OutboxEvent e) {
        JsonNode k = e.getData();
        String name = text(k, "metadata", "name");
        String expires = text(k, "status", "expires_at");
        String subject = "Your OpenShift cluster " + name + " expires at " + orDash(expires);
        String text = """
                Hello,

                the lease of your cluster "%s" (%s) ends at %s. The cluster and its data are released then.
                Renew the order before that time to keep it.

                -- Fulfillment Hub
                """.formatted(name, e.getSubject(), orDash(expires));
        String html = "<p>Hello,</p><p>the lease of your cluster <b>" + esc(name) + "</b> (" + esc(e.getSubject())
                + ") ends at <b>" + esc(orDash(expires)) + "</b>. The cluster and its data are released then.</p>"
                + "<p>Renew the order before that time to keep it.</p><p>-- Fulfillment Hub</p>";
        mail(e, k, subject, text, html);
    }

    /** {@code cluster.failed}: the operations channel hears why provisioning stopped. */
    public void provisioningFailed(NotificationFeed.OutboxEvent e) {
        JsonNode k = e.getData();
        String name = text(k, "metadata", "name");
        String tenant = text(k, "metadata", "tenant");
        String reason = text(k, "status", "reason");
        String message = null;
        for (JsonNode c : k.path("status").path("conditions")) {
            if ("Failed".equals(c.path("type").asText())) {
                message = c.path("message").asText(null);
            }
        }
        String line = ":rotating_light: Provisioning failed: cluster *" + name + "* (`" + e.getSubject() + "`) of tenant "
                + orDash(tenant) + ": " + orDash(reason) + (message == null ? "" : " - " + message);
        Object blocks = List.of(
                Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", line)),
                Map.of("type", "context", "elements", List.of(Map.of("type", "mrkdwn",
                        "text", "Retry with `POST /api/admin/v1/clusters/" + e.getSubject() + "/retry` once the cause is fixed."))));
        if (!settings.on(SinkSettings.SLACK)) {
            jobs.skipped(SinkSettings.SLACK, "notify-ops", "cluster.failed " + e.getSubject());
            return;
        }
        db.tx(c -> SinkJobs.enqueue(c, "notify:" + e.getId() + ":chat", SinkSettings.SLACK, MessageActions.CHAT,
                null, null, MessageActions.chat(line, blocks)));
    }

    private void mail(NotificationFeed.OutboxEvent e, JsonNode cluster, String subject, String text, String html) {
        String to = recipient(cluster);
        if (to == null) {
            LOG.infof("%s %s: no recipient (annotation %s or HUB_NOTIFY_DEFAULT_EMAIL), no mail", e.getShortType(),
                    e.getSubject(), CONTACT_ANNOTATION);
            return;
        }
        if (!settings.on(SinkSettings.MAIL)) {
            jobs.skipped(SinkSettings.MAIL, "notify-purchaser", e.getShortType() + " " + e.getSubject());
            return;
        }
        db.tx(c -> SinkJobs.enqueue(c, "notify:" + e.getId() + ":mail", SinkSettings.MAIL, MessageActions.MAIL, null,
                null, MessageActions.mail(to, subject, text, html)));
    }

    /** The cluster's contact annotation, else {@code HUB_NOTIFY_DEFAULT_EMAIL}; null when neither is a plain address. */
    public String recipient(JsonNode cluster) {
        String annotated = cluster == null ? null : text(cluster, "metadata", "annotations", CONTACT_ANNOTATION);
        if (annotated != null && EMAIL.matcher(annotated.trim()).matches()) {
            return annotated.trim();
        }
        String dflt = settings.defaultEmail();
        return dflt != null && EMAIL.matcher(dflt).matches() ? dflt : null;
    }

    static String text(JsonNode n, String... path) {
        JsonNode cur = n;
        for (String p : path) {
            if (cur == null) {
                return null;
            }
            cur = cur.get(p);
        }
        return cur == null || cur.isNull() ? null : cur.asText();
    }

    private static String orDash(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String link(String url) {
        if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
            return esc(orDash(url));
        }
        return "<a href=\"" + esc(url) + "\">" + esc(url) + "</a>";
    }
}
