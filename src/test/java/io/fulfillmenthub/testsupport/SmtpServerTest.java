package io.fulfillmenthub.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

class SmtpServerTest {

    @Test
    void receivesAMailSentWithJakartaMail() throws Exception {
        try (SmtpServer smtp = SmtpServer.start()) {
            assertEquals("127.0.0.1", smtp.host());
            assertTrue(smtp.port() > 0);

            Properties props = new Properties();
            props.put("mail.smtp.host", smtp.host());
            props.put("mail.smtp.port", String.valueOf(smtp.port()));
            props.put("mail.smtp.auth", "true");
            props.put("mail.smtp.starttls.enable", "false");
            props.put("mail.smtp.connectiontimeout", "5000");
            props.put("mail.smtp.timeout", "5000");
            Session session = Session.getInstance(props);

            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress("hub@fulfillmenthub.test"));
            message.setRecipients(Message.RecipientType.TO, "ops@example.test, oncall@example.test");
            message.setRecipients(Message.RecipientType.BCC, "audit@example.test");
            message.setSubject("Cluster c-42 is ready – ✓", "UTF-8");
            MimeBodyPart text = new MimeBodyPart();
            text.setText("Cluster c-42 is ready.\n", "UTF-8");
            MimeBodyPart html = new MimeBodyPart();
            html.setContent("<p>Cluster <b>c-42</b> is ready.</p>", "text/html; charset=UTF-8");
            message.setContent(new MimeMultipart("alternative", text, html));
            Transport.send(message, "hub", "secret");

            List<SmtpServer.ReceivedMail> mails = smtp.awaitMessages(3, Duration.ofSeconds(10));
            assertEquals(1, mails.size(), "one message, three deliveries");
            SmtpServer.ReceivedMail mail = mails.get(0);
            assertEquals(List.of("hub@fulfillmenthub.test"), mail.from());
            assertEquals(List.of("ops@example.test", "oncall@example.test"), mail.to());
            assertEquals(List.of(), mail.cc());
            assertEquals(List.of("audit@example.test", "oncall@example.test", "ops@example.test"),
                    mail.deliveredTo().stream().sorted().toList());
            assertEquals("Cluster c-42 is ready – ✓", mail.subject());
            assertEquals("Cluster c-42 is ready.\n", mail.textBody().replace("\r\n", "\n"));
            assertEquals("<p>Cluster <b>c-42</b> is ready.</p>", mail.htmlBody());
            assertEquals(mail.textBody(), mail.body());

            smtp.reset();
            assertEquals(List.of(), smtp.messages());
        }
    }

    @Test
    void speaksPlainSmtpOnTheWire() throws Exception {
        try (SmtpServer smtp = SmtpServer.start();
                Socket socket = new Socket(smtp.host(), smtp.port())) {
            socket.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            assertTrue(reply(in).startsWith("220"));
            for (String[] step : new String[][] {
                    {"HELO client.test", "250"},
                    {"MAIL FROM:<alerts@fulfillmenthub.test>", "250"},
                    {"RCPT TO:<ops@example.test>", "250"},
                    {"DATA", "354"},
                    {"Subject: raw\r\nTo: ops@example.test\r\n\r\nhello\r\n.", "250"},
                    {"QUIT", "221"}}) {
                out.write((step[0] + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String reply = reply(in);
                assertTrue(reply.startsWith(step[1]), step[0] + " -> " + reply);
            }
            SmtpServer.ReceivedMail mail = smtp.awaitMessages(1, Duration.ofSeconds(5)).get(0);
            assertEquals("raw", mail.subject());
            assertEquals(List.of("ops@example.test"), mail.to());
            assertEquals("hello", mail.body().strip());
            assertNull(mail.htmlBody());
        }
    }

    /** One SMTP reply; a multi-line reply ("250-...") ends with its "250 ..." line. */
    private static String reply(BufferedReader in) throws Exception {
        StringBuilder all = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            all.append(line).append('\n');
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return all.toString();
    }
}
