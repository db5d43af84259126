package io.fulfillmenthub.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A delivery connects to the address the target check approved, not to whatever the name resolves to when the
 * connection is made (DNS rebinding); the request still names the subscriber's host.
 */
class PinnedTargetTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theRequestGoesToThePinnedAddressWithTheUrlsHost() throws Exception {
        CompletableFuture<String> hostSeen = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer().requestHandler(r -> {
            hostSeen.complete(r.getHeader("Host"));
            r.response().setStatusCode(204).end();
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
        // a name that never resolves (RFC 2606): only the pinned address can reach the server
        URI uri = URI.create("http://subscriber.invalid:" + port + "/hook");
        HttpClient client = vertx.createHttpClient();
        int status = client.request(WebhookWorker.request(uri, InetAddress.getByName("127.0.0.1")))
                .compose(req -> req.send(Buffer.buffer("{}")))
                .map(r -> r.statusCode())
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(204, status);
        assertEquals("subscriber.invalid:" + port, hostSeen.get(1, TimeUnit.SECONDS));
    }

    @Test
    void nothingIsPinnedWhenPrivateTargetsAreAllowed() throws Exception {
        URI uri = TargetPolicy.parse("http://localhost:9/hook");
        assertNull(TargetPolicy.resolve(uri, true));
        assertNull(WebhookWorker.request(uri, null).getServer());
        assertEquals(InetAddress.getByName("8.8.8.8"), TargetPolicy.resolve(TargetPolicy.parse("https://8.8.8.8/x"), false));
        assertEquals(443, TargetPolicy.port(TargetPolicy.parse("https://8.8.8.8/x")));
        assertEquals(80, TargetPolicy.port(TargetPolicy.parse("http://8.8.8.8/x")));
    }
}
