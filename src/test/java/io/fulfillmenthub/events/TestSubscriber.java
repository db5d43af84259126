package io.fulfillmenthub.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fulfillmenthub.store.Json;

/**
 * A real webhook subscriber on 127.0.0.1 (JDK HttpServer): records every request with the status it answered, and
 * answers as the test's behaviour says (status, headers, delay before answering, size of the response body).
 */
public final class TestSubscriber implements AutoCloseable {

    /** What the subscriber answers; {@code bodyBytes} of filler when positive, else no body. */
    public record Reply(int status, Map<String, String> headers, long delayMs, int bodyBytes) {
        public Reply(int status, Map<String, String> headers, long delayMs) {
            this(status, headers, delayMs, 0);
        }

        public static Reply status(int status) {
            return new Reply(status, Map.of(), 0);
        }
    }

    /** One request received. */
    public record Received(long atMillis, String path, Map<String, List<String>> headers, String body, int answered) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().isEmpty() ? null : e.getValue().get(0);
                }
            }
            return null;
        }

        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public boolean ok() {
            return answered >= 200 && answered < 300;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Reply> behaviour = r -> Reply.status(204);

    public TestSubscriber() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public TestSubscriber answer(Function<Received, Reply> behaviour) {
        this.behaviour = behaviour;
        return this;
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Received probe = new Received(System.currentTimeMillis(), ex.getRequestURI().getPath(),
                    Map.copyOf(ex.getRequestHeaders()), new String(body, StandardCharsets.UTF_8), 0);
            Reply reply = behaviour.apply(probe);
            if (reply.delayMs() > 0) {
                try {
                    Thread.sleep(reply.delayMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            received.add(new Received(probe.atMillis(), probe.path(), probe.headers(), probe.body(), reply.status()));
            ex.sendResponseHeaders(reply.status(), reply.bodyBytes() > 0 ? reply.bodyBytes() : -1);
            try (OutputStream out = ex.getResponseBody()) {
                byte[] filler = new byte[8192];
                java.util.Arrays.fill(filler, (byte) 'x');
                for (int left = reply.bodyBytes(); left > 0; left -= filler.length) {
                    out.write(filler, 0, Math.min(left, filler.length));
                }
                out.flush();
            }
        } catch (IOException e) {
            // the hub gave up on this request (timeout): nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
