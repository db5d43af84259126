package io.fulfillmenthub.notifications;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;

/**
 * Mail and chat messages: the job's payload is the whole message, written when it was queued.
 * <ul>
 *   <li>{@code mail.send}: {@code {to, subject, text, html}} -> the {@code mail-sink} Kamelet (headers {@code MailTo},
 *       {@code MailSubject}, {@code MailHtml}; body = the plain text).</li>
 *   <li>{@code chat.post}: {@code {text, blocks}} -> the {@code slack-message-sink} Kamelet (body = the message).</li>
 * </ul>
 */
@ApplicationScoped
public class MessageActions implements SinkActions {

    public static final String MAIL = "mail.send";
    public static final String CHAT = "chat.post";

    /** A mail job's payload. */
    public static Map<String, Object> mail(String to, String subject, String text, String html) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("to", to);
        m.put("subject", subject);
        m.put("text", text);
        if (html != null) {
            m.put("html", html);
        }
        return m;
    }

    /** A chat job's payload: Slack's {@code text} (the fallback) and optional {@code blocks}. */
    public static Map<String, Object> chat(String text, Object blocks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text);
        if (blocks != null) {
            m.put("blocks", blocks);
        }
        return m;
    }

    @Override
    public boolean handles(String action) {
        return MAIL.equals(action) || CHAT.equals(action);
    }

    @Override
    public void prepare(SinkJobs.Job job, Exchange ex) {
        Map<String, Object> p = job.payload();
        if (MAIL.equals(job.action())) {
            Object to = p.get("to");
            if (to == null || to.toString().isBlank()) {
                throw new SinkJobs.SkipJob("no recipient");
            }
            ex.getMessage().setHeader("MailTo", to.toString());
            ex.getMessage().setHeader("MailSubject", String.valueOf(p.get("subject")));
            if (p.get("html") != null) {
                ex.getMessage().setHeader("MailHtml", p.get("html").toString());
            }
            ex.getMessage().setBody(String.valueOf(p.getOrDefault("text", "")));
        } else {
            ex.getMessage().setBody(new LinkedHashMap<>(p));
        }
    }

    @Override
    public String sent(SinkJobs.Job job, Exchange ex) {
        return MAIL.equals(job.action()) ? "mailed" : "posted";
    }
}
