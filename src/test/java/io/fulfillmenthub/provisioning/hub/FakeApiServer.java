package io.fulfillmenthub.provisioning.hub;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A bare HTTP/1.1 server on loopback playing a Kubernetes API server badly or page by page, at the socket level, so a
 * test controls exactly which bytes of an answer are sent. Keep-alive; one thread per connection.
 */
final class FakeApiServer implements AutoCloseable {

    /** What to answer (null: nothing, not even headers): a status, a JSON body, and whether to stop after half of it (and never send the rest). */
    record Answer(int status, String json, boolean stallHalfway) {
        Answer(String json, boolean stallHalfway) {
            this(200, json, stallHalfway);
        }

        static Answer full(String json) {
            return new Answer(200, json, false);
        }

        /** A Kubernetes Status answer. */
        static Answer status(int code, String reason) {
            return new Answer(code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\""
                    + reason + "\",\"code\":" + code + "}", false);
        }
    }

    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** Request targets (path and query) in arrival order. */
    final List<String> targets = new CopyOnWriteArrayList<>();
    /** The value of every {@code Upgrade} request header, in arrival order (a client asking for h2c sends one). */
    final List<String> upgrades = new CopyOnWriteArrayList<>();

    FakeApiServer(Function<String, Answer> answers) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    Thread h = new Thread(() -> serve(s, answers));
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "fake-api-server");
        t.setDaemon(true);
        t.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    /** A hub client as the hub builds them, with this request timeout (ms) and no retries. */
    KubernetesClient client(int requestTimeoutMs) {
        return HubClientFactory.build(new ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                .withMasterUrl(url()).withOauthToken("t").withRequestTimeout(requestTimeoutMs)
                .withRequestRetryBackoffLimit(0).build());
    }

    private void serve(Socket s, Function<String, Answer> answers) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    return;
                }
                String target = line.split(" ")[1];
                targets.add(target);
                while (!(line = in.readLine()).isEmpty()) {
                    if (line.regionMatches(true, 0, "Upgrade:", 0, 8)) {
                        upgrades.add(line.substring(8).trim());
                    }
                }
                Answer a = answers.apply(target);
                if (a == null) {
                    Thread.sleep(60_000); // no answer at all while the test runs
                    return;
                }
                byte[] bytes = a.json().getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + a.status() + " X\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                if (a.stallHalfway()) {
                    out.write(bytes, 0, bytes.length / 2);
                    out.flush();
                    Thread.sleep(60_000); // the rest never comes while the test runs
                    return;
                }
                out.write(bytes);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up on this connection
        }
    }

    /** An AgentList JSON with these Agent names and, when not null, a continue token. */
    static String agentList(String continueToken, String... names) {
        StringBuilder b = new StringBuilder("{\"apiVersion\":\"agent-install.openshift.io/v1beta1\",\"kind\":\"AgentList\","
                + "\"metadata\":{\"resourceVersion\":\"7\"" + (continueToken == null ? "" : ",\"continue\":\"" + continueToken + "\"")
                + "},\"items\":[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"apiVersion\":\"agent-install.openshift.io/v1beta1\",\"kind\":\"Agent\","
                    + "\"metadata\":{\"name\":\"").append(names[i])
                    .append("\",\"namespace\":\"hardware-inventory\"},\"spec\":{\"approved\":true}}");
        }
        return b.append("]}").toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
