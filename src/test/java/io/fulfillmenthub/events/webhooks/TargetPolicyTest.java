package io.fulfillmenthub.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Which webhook targets the hub refuses. Literal addresses only: nothing here resolves a name remotely or connects. */
class TargetPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254",
            "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "192.0.0.8",
            "198.18.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
            "::", "::1", "fe80::1", "fc00::1", "fd12:3456:789a::1", "fec0::1", "ff02::1",
            "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:a00:1::1"})
    void refusesNonPublicAddresses(String literal) throws Exception {
        assertFalse(TargetPolicy.isPublic(InetAddress.getByName(literal)), literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
            "192.169.0.1", "169.253.1.1", "2001:4860:4860::8888", "2606:4700:4700::1111", "::ffff:8.8.8.8",
            "64:ff9b::808:808"})
    void acceptsPublicAddresses(String literal) throws Exception {
        assertTrue(TargetPolicy.isPublic(InetAddress.getByName(literal)), literal);
    }

    @Test
    void checksEveryResolvedAddressUnlessPrivateTargetsAreAllowed() throws Exception {
        for (String url : new String[] {"http://127.0.0.1:8080/hook", "https://[::1]/hook", "http://10.1.2.3/x",
                "http://169.254.169.254/latest/meta-data", "http://localhost:9000/hook"}) {
            URI uri = TargetPolicy.parse(url);
            TargetPolicy.Refused e = assertThrows(TargetPolicy.Refused.class, () -> TargetPolicy.checkResolved(uri, false), url);
            assertTrue(e.getMessage().contains("loopback, link-local or private"), e.getMessage());
            assertDoesNotThrow(() -> TargetPolicy.checkResolved(uri, true));
        }
        assertDoesNotThrow(() -> TargetPolicy.checkResolved(TargetPolicy.parse("https://8.8.8.8/hook"), false));
    }

    @Test
    void urlMustBeAbsoluteHttpWithoutCredentials() {
        assertRefused(null, "required");
        assertRefused("", "required");
        assertRefused("/relative/hook", "absolute");
        assertRefused("hooks.example.com/x", "absolute");
        assertRefused("ftp://example.com/x", "http or https");
        assertRefused("javascript:alert(1)", "http or https");
        assertRefused("http:///nohost", "host");
        assertRefused("https://user:pw@example.com/x", "credentials");
        assertRefused("https://example.com/x#frag", "fragment");
        assertRefused("https://exa mple.com/", "not a valid URI");
        assertRefused("https://example.com/" + "a".repeat(2001), "longer");
        assertDoesNotThrow(() -> TargetPolicy.parse("https://hooks.example.com:8443/in?x=1"));
        assertDoesNotThrow(() -> TargetPolicy.parse("HTTP://example.com/"));
    }

    private static void assertRefused(String url, String words) {
        TargetPolicy.Refused e = assertThrows(TargetPolicy.Refused.class, () -> TargetPolicy.parse(url), String.valueOf(url));
        assertTrue(e.getMessage().contains(words), url + ": " + e.getMessage());
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDateCappedAtADay() {
        java.time.Instant now = java.time.Instant.parse("2025-01-01T00:00:00Z");
        assertEquals(java.time.Duration.ofSeconds(3), WebhookWorker.retryAfter("3", now));
        assertEquals(java.time.Duration.ofSeconds(90), WebhookWorker.retryAfter("Wed, 01 Jan 2025 00:01:30 GMT", now));
        assertEquals(java.time.Duration.ZERO, WebhookWorker.retryAfter("Tue, 31 Dec 2024 23:00:00 GMT", now));
        assertEquals(java.time.Duration.ofDays(1), WebhookWorker.retryAfter("999999", now));
        assertEquals(null, WebhookWorker.retryAfter("soon", now));
        assertEquals(null, WebhookWorker.retryAfter(null, now));
    }
}
