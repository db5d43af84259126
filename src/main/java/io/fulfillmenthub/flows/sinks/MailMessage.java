package io.fulfillmenthub.flows.sinks;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The {@code mail-sink} Kamelet's request: headers {@code MailTo}, {@code MailSubject} and optional {@code MailHtml}
 * in, body = the plain text. Every other header is dropped (the mail component would turn them into MIME headers);
 * with HTML the message is multipart/alternative (HTML + the plain text). The SMTP endpoint uses STARTTLS whenever
 * the server offers it ({@code startTls}, on by default), and authenticates only when a username is set.
 */
public class MailMessage {

    public void request(Exchange ex) {
        Message m = ex.getMessage();
        String to = Outbound.header(ex, "MailTo");
        if (to == null || to.isBlank()) {
            to = Outbound.optional(ex, "to");
        }
        if (to == null || to.isBlank() || to.contains("\n") || to.contains("\r")) {
            throw new IllegalArgumentException("MailTo (or the Kamelet's to) must name the recipient");
        }
        String subject = Outbound.header(ex, "MailSubject");
        String html = Outbound.header(ex, "MailHtml");
        String text = m.getBody(String.class);
        String from = Outbound.prop(ex, "from");
        m.removeHeaders("*");
        m.setHeader("To", to);
        m.setHeader("From", from);
        m.setHeader("Subject", subject == null ? "" : subject.replaceAll("[\\r\\n]+", " "));
        if (html != null && !html.isBlank()) {
            m.setHeader("contentType", "text/html; charset=UTF-8");
            m.setHeader("CamelMailAlternativeBody", text == null ? "" : text);
            m.setBody(html);
        } else {
            m.setHeader("contentType", "text/plain; charset=UTF-8");
            m.setBody(text == null ? "" : text);
        }
        StringBuilder uri = new StringBuilder("smtp://").append(Outbound.prop(ex, "host")).append(':')
                .append(Outbound.prop(ex, "port")).append("?from=").append(enc(from))
                .append("&mail.smtp.starttls.enable=").append(!"false".equalsIgnoreCase(Outbound.optional(ex, "startTls")))
                .append("&connectionTimeout=").append(timeout(ex));
        String user = Outbound.optional(ex, "username");
        if (user != null) {
            uri.append("&username=RAW(").append(user).append(")&password=RAW(")
                    .append(ex.getProperty("password", String.class) == null ? "" : ex.getProperty("password", String.class))
                    .append(')');
        }
        ex.setProperty("sinkMailUri", uri.toString());
        Outbound.forget(ex, "username", "password");
    }

    public void response(Exchange ex) {
        ex.removeProperty("sinkMailUri");
        Outbound.reply(ex, "sent");
    }

    private static String timeout(Exchange ex) {
        String t = Outbound.optional(ex, "timeoutMillis");
        return t == null ? "15000" : t;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
