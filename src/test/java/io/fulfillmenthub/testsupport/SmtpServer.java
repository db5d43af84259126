package io.fulfillmenthub.testsupport;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * A real SMTP server (GreenMail) on a random loopback port that keeps every message it receives.
 *
 * <p>Authentication is disabled: any {@code AUTH} credentials are accepted, and so is mail sent without them, so the
 * hub's mail settings can point at it unchanged except for host and port. Plain SMTP only (no STARTTLS): tests send
 * with {@code mail.smtp.starttls.enable=false}.
 *
 * <pre>{@code
 * try (SmtpServer smtp = SmtpServer.start()) {
 *     ... send to smtp.host():smtp.port() ...
 *     List<SmtpServer.ReceivedMail> mails = smtp.awaitMessages(1, Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class SmtpServer implements AutoCloseable {

    private final GreenMail greenMail;

    private SmtpServer(GreenMail greenMail) {
        this.greenMail = greenMail;
    }

    /** Starts a server on a free port of 127.0.0.1. */
    public static SmtpServer start() {
        ServerSetup setup = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort();
        GreenMail greenMail = new GreenMail(setup)
                .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        greenMail.start();
        return new SmtpServer(greenMail);
    }

    public String host() {
        return greenMail.getSmtp().getBindTo();
    }

    public int port() {
        return greenMail.getSmtp().getPort();
    }

    /**
     * Every message received so far, oldest first, once each however many recipients it had (grouped by
     * {@code Message-ID}); {@link ReceivedMail#deliveredTo()} lists the envelope recipients, Bcc included.
     */
    public List<ReceivedMail> messages() {
        Map<String, MimeMessage> byId = new LinkedHashMap<>();
        Map<String, List<String>> deliveredTo = new LinkedHashMap<>();
        for (GreenMailUser user : greenMail.getUserManager().listUser()) {
            greenMail.findReceivedMessages(u -> u == user, m -> true).forEach(m -> {
                String id = messageId(m);
                byId.putIfAbsent(id, m);
                deliveredTo.computeIfAbsent(id, k -> new ArrayList<>()).add(user.getEmail());
            });
        }
        // oldest first: GreenMail's own list is in arrival order per mailbox
        List<ReceivedMail> result = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            String id = messageId(m);
            if (!seen.contains(id) && byId.containsKey(id)) {
                seen.add(id);
                result.add(ReceivedMail.of(byId.get(id), deliveredTo.get(id)));
            }
        }
        return result;
    }

    /** Waits until at least {@code count} deliveries arrived, then returns {@link #messages()}. */
    public List<ReceivedMail> awaitMessages(int count, Duration timeout) {
        if (!greenMail.waitForIncomingEmail(timeout.toMillis(), count)) {
            throw new AssertionError("expected " + count + " deliveries within " + timeout + ", got "
                    + greenMail.getReceivedMessages().length);
        }
        return messages();
    }

    /** Forgets every received message. */
    public void reset() {
        try {
            greenMail.purgeEmailFromAllMailboxes();
        } catch (Exception e) {
            throw new IllegalStateException("could not purge the mailboxes", e);
        }
    }

    @Override
    public void close() {
        greenMail.stop();
    }

    private static String messageId(MimeMessage m) {
        try {
            String id = m.getMessageID();
            return id != null ? id : "identity:" + System.identityHashCode(m);
        } catch (MessagingException e) {
            return "identity:" + System.identityHashCode(m);
        }
    }

    /**
     * One received message.
     *
     * @param from        the From address(es)
     * @param to          the To header addresses
     * @param cc          the Cc header addresses
     * @param deliveredTo the envelope recipients it was delivered to (RCPT TO, Bcc included)
     * @param subject     the decoded subject
     * @param textBody    the text/plain body (or part), {@code null} if none
     * @param htmlBody    the text/html body (or part), {@code null} if none
     * @param raw         the whole message as received (headers and body)
     * @param message     the parsed message
     */
    public record ReceivedMail(
            List<String> from,
            List<String> to,
            List<String> cc,
            List<String> deliveredTo,
            String subject,
            String textBody,
            String htmlBody,
            String raw,
            MimeMessage message) {

        static ReceivedMail of(MimeMessage m, List<String> deliveredTo) {
            try {
                String[] bodies = new String[2];
                collectBodies(m, bodies);
                return new ReceivedMail(
                        addresses(m.getFrom()),
                        addresses(m.getRecipients(Message.RecipientType.TO)),
                        addresses(m.getRecipients(Message.RecipientType.CC)),
                        List.copyOf(Objects.requireNonNullElse(deliveredTo, List.of())),
                        m.getSubject(),
                        bodies[0],
                        bodies[1],
                        GreenMailUtil.getWholeMessage(m),
                        m);
            } catch (MessagingException | IOException e) {
                throw new IllegalStateException("could not read a received message", e);
            }
        }

        /** The text body if there is one, else the HTML body. */
        public String body() {
            return textBody != null ? textBody : htmlBody;
        }

        private static void collectBodies(Part part, String[] bodies) throws MessagingException, IOException {
            if (part.isMimeType("text/plain") && bodies[0] == null && !isAttachment(part)) {
                bodies[0] = (String) part.getContent();
            } else if (part.isMimeType("text/html") && bodies[1] == null && !isAttachment(part)) {
                bodies[1] = (String) part.getContent();
            } else if (part.isMimeType("multipart/*")) {
                Multipart multipart = (Multipart) part.getContent();
                for (int i = 0; i < multipart.getCount(); i++) {
                    collectBodies(multipart.getBodyPart(i), bodies);
                }
            }
        }

        private static boolean isAttachment(Part part) throws MessagingException {
            return Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition());
        }

        private static List<String> addresses(Address[] addresses) {
            if (addresses == null) {
                return List.of();
            }
            return Arrays.stream(addresses)
                    .map(a -> a instanceof InternetAddress ia ? ia.getAddress() : a.toString())
                    .toList();
        }
    }
}
