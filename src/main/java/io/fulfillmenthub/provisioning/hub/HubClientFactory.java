package io.fulfillmenthub.provisioning.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientImpl;

/**
 * Builds the fabric8 client for the management hub's Kubernetes API, from the first source configured of:
 * <ol>
 * <li>an explicit kubeconfig file ({@code HUB_KUBECONFIG});</li>
 * <li>an API server URL and a bearer token ({@code HUB_KUBE_URL}, {@code HUB_KUBE_TOKEN}, optional
 * {@code HUB_KUBE_CA_FILE} or {@code HUB_KUBE_INSECURE=true});</li>
 * <li>the in-cluster service account ({@code /var/run/secrets/kubernetes.io/serviceaccount/token} with
 * {@code KUBERNETES_SERVICE_HOST}/{@code KUBERNETES_SERVICE_PORT}); its token is re-read from the file, so rotation
 * is picked up.</li>
 * </ol>
 * Nothing else is consulted: no {@code ~/.kube/config}, no {@code KUBECONFIG}, no system properties, so a developer's
 * own cluster is never used by accident. When none is configured, {@link #create} returns empty and the caller starts
 * the embedded hub instead. Plain Java, no CDI. Tokens are never logged.
 */
public final class HubClientFactory {

    private static final Logger LOG = Logger.getLogger(HubClientFactory.class);

    /** Where a pod's service account is mounted. */
    public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private HubClientFactory() {
    }

    /** The source a client was built from, without any secret. */
    public enum Source {
        KUBECONFIG, URL_AND_TOKEN, SERVICE_ACCOUNT
    }

    /**
     * What to connect to and how patiently. Build with {@link #fromEnv(Map)} or {@link #none()} and the withers.
     *
     * @param kubeconfig explicit kubeconfig file (wins over everything else)
     * @param url API server URL, used together with {@code token}
     * @param token bearer token for {@code url}
     * @param caFile PEM CA bundle to trust for {@code url}; the JVM's trust store when absent
     * @param insecure skip TLS verification for {@code url} (development only)
     * @param serviceAccountDir where to look for an in-cluster service account; null disables the look-up
     * @param serviceHost {@code KUBERNETES_SERVICE_HOST} as seen by the pod
     * @param servicePort {@code KUBERNETES_SERVICE_PORT} as seen by the pod
     * @param connectTimeout TCP/TLS connect timeout
     * @param requestTimeout timeout of one request
     * @param retryBackoffLimit retries of a failed request (connect errors and 5xx), exponential backoff
     * @param retryBackoffInterval first backoff interval, doubled on each retry
     */
    public record Settings(Path kubeconfig, String url, String token, Path caFile, boolean insecure,
            Path serviceAccountDir, String serviceHost, String servicePort, Duration connectTimeout,
            Duration requestTimeout, int retryBackoffLimit, Duration retryBackoffInterval) {

        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
        public static final int DEFAULT_RETRY_BACKOFF_LIMIT = 5;
        public static final Duration DEFAULT_RETRY_BACKOFF_INTERVAL = Duration.ofMillis(500);

        public Settings {
            connectTimeout = Objects.requireNonNullElse(connectTimeout, DEFAULT_CONNECT_TIMEOUT);
            requestTimeout = Objects.requireNonNullElse(requestTimeout, DEFAULT_REQUEST_TIMEOUT);
            retryBackoffInterval = Objects.requireNonNullElse(retryBackoffInterval, DEFAULT_RETRY_BACKOFF_INTERVAL);
            if (retryBackoffLimit < 0) {
                throw new IllegalArgumentException("retryBackoffLimit must be >= 0");
            }
        }

        /** Nothing configured, no service account look-up, default timeouts. */
        public static Settings none() {
            return new Settings(null, null, null, null, false, null, null, null, null, null,
                    DEFAULT_RETRY_BACKOFF_LIMIT, null);
        }

        /**
         * Reads {@code HUB_KUBECONFIG}, {@code HUB_KUBE_URL}, {@code HUB_KUBE_TOKEN}, {@code HUB_KUBE_CA_FILE},
         * {@code HUB_KUBE_INSECURE}, {@code KUBERNETES_SERVICE_HOST}, {@code KUBERNETES_SERVICE_PORT}, and
         * optionally {@code HUB_KUBE_REQUEST_TIMEOUT_MS}, {@code HUB_KUBE_CONNECT_TIMEOUT_MS},
         * {@code HUB_KUBE_RETRY_LIMIT}, {@code HUB_KUBE_RETRY_INTERVAL_MS}. The service account is looked up at
         * {@link HubClientFactory#SERVICE_ACCOUNT_DIR}.
         */
        public static Settings fromEnv(Map<String, String> env) {
            return new Settings(
                    path(env.get("HUB_KUBECONFIG")),
                    blankToNull(env.get("HUB_KUBE_URL")),
                    blankToNull(env.get("HUB_KUBE_TOKEN")),
                    path(env.get("HUB_KUBE_CA_FILE")),
                    Boolean.parseBoolean(Objects.requireNonNullElse(env.get("HUB_KUBE_INSECURE"), "false")
                            .trim().toLowerCase(Locale.ROOT)),
                    SERVICE_ACCOUNT_DIR,
                    blankToNull(env.get("KUBERNETES_SERVICE_HOST")),
                    blankToNull(env.get("KUBERNETES_SERVICE_PORT")),
                    millis(env.get("HUB_KUBE_CONNECT_TIMEOUT_MS")),
                    millis(env.get("HUB_KUBE_REQUEST_TIMEOUT_MS")),
                    env.containsKey("HUB_KUBE_RETRY_LIMIT")
                            ? Integer.parseInt(env.get("HUB_KUBE_RETRY_LIMIT").trim())
                            : DEFAULT_RETRY_BACKOFF_LIMIT,
                    millis(env.get("HUB_KUBE_RETRY_INTERVAL_MS")));
        }

        public Settings withKubeconfig(Path file) {
            return new Settings(file, url, token, caFile, insecure, serviceAccountDir, serviceHost, servicePort,
                    connectTimeout, requestTimeout, retryBackoffLimit, retryBackoffInterval);
        }

        public Settings withUrlAndToken(String apiUrl, String bearerToken) {
            return new Settings(kubeconfig, apiUrl, bearerToken, caFile, insecure, serviceAccountDir, serviceHost,
                    servicePort, connectTimeout, requestTimeout, retryBackoffLimit, retryBackoffInterval);
        }

        public Settings withCaFile(Path file) {
            return new Settings(kubeconfig, url, token, file, insecure, serviceAccountDir, serviceHost, servicePort,
                    connectTimeout, requestTimeout, retryBackoffLimit, retryBackoffInterval);
        }

        public Settings withInsecure(boolean skipTlsVerify) {
            return new Settings(kubeconfig, url, token, caFile, skipTlsVerify, serviceAccountDir, serviceHost,
                    servicePort, connectTimeout, requestTimeout, retryBackoffLimit, retryBackoffInterval);
        }

        public Settings withServiceAccount(Path dir, String host, String port) {
            return new Settings(kubeconfig, url, token, caFile, insecure, dir, host, port, connectTimeout,
                    requestTimeout, retryBackoffLimit, retryBackoffInterval);
        }

        public Settings withTimeouts(Duration connect, Duration request) {
            return new Settings(kubeconfig, url, token, caFile, insecure, serviceAccountDir, serviceHost,
                    servicePort, connect, request, retryBackoffLimit, retryBackoffInterval);
        }

        public Settings withRetries(int limit, Duration firstInterval) {
            return new Settings(kubeconfig, url, token, caFile, insecure, serviceAccountDir, serviceHost,
                    servicePort, connectTimeout, requestTimeout, limit, firstInterval);
        }

        /** Never prints the token. */
        @Override
        public String toString() {
            return "Settings[kubeconfig=" + kubeconfig + ", url=" + url + ", token=" + (token == null ? "none" : "***")
                    + ", caFile=" + caFile + ", insecure=" + insecure + ", serviceAccountDir=" + serviceAccountDir
                    + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                    + ", retryBackoffLimit=" + retryBackoffLimit + ", retryBackoffInterval=" + retryBackoffInterval
                    + "]";
        }

        private static Path path(String value) {
            String v = blankToNull(value);
            return v == null ? null : Path.of(v);
        }

        private static Duration millis(String value) {
            String v = blankToNull(value);
            return v == null ? null : Duration.ofMillis(Long.parseLong(v));
        }
    }

    /** A client configuration and the source it came from. */
    public record Resolved(Source source, Config config) {
        @Override
        public String toString() {
            return "Resolved[source=" + source + ", masterUrl=" + config.getMasterUrl() + "]";
        }
    }

    /** Builds a client from the first configured source, or empty when none is configured. */
    public static Optional<KubernetesClient> create(Settings settings) {
        return resolve(settings).map(r -> build(r.config()));
    }

    /**
     * A client on fabric8's JDK HTTP client rather than the Vert.x one Quarkus registers: Vert.x 4.5.18 can leave a
     * response larger than about 64 KiB stuck on a reused pooled connection (eclipse-vertx/vert.x#5663), and an Agent
     * list of a real inventory is that large. Every client the hub makes goes through here. Each answer's body must
     * also finish within the request timeout of its headers ({@link ResponseDeadline}): no call waits forever.
     * <p>
     * A server on plain HTTP (the embedded management hub, or a {@code kubectl proxy}) is spoken to in HTTP/1.1: there
     * the JDK client would upgrade its first connection to HTTP/2 in clear text (h2c), and with calls made at once
     * while it does (at start: the first inventory sync, the simulator, the demo seeding) it once in a while read an
     * HTTP/1.1 body as HTTP/2 frames ("Frame type(34) length(3220012) exceeds MAX_FRAME_SIZE"): the call failed after
     * its retries and readiness came ~8 s late (BENCHMARKS.md, session 7). Over TLS the protocol is agreed before any
     * request (ALPN), and HTTP/2 stays.
     */
    public static KubernetesClient build(Config config) {
        warnOnThreadPerAnswer();
        boolean clearText = config.getMasterUrl() != null
                && config.getMasterUrl().regionMatches(true, 0, "http://", 0, 7);
        Duration deadline = Duration.ofMillis(config.getRequestTimeout() > 0 ? config.getRequestTimeout()
                : Settings.DEFAULT_REQUEST_TIMEOUT.toMillis());
        return new KubernetesClientBuilder().withHttpClientFactory(new LingeringClose(deadline.multipliedBy(2)))
                .withConfig(config)
                .withHttpClientBuilderConsumer(b -> {
                    b.addOrReplaceInterceptor(ResponseDeadline.NAME, new ResponseDeadline(deadline));
                    if (clearText) {
                        b.preferHttp11();
                    }
                })
                .build();
    }

    /**
     * fabric8's JDK client factory stops the client's executor at once when the client is closed. Calls still in flight
     * then never end: the JDK client hands its answers, and its own request timeouts, to that executor, and its selector
     * thread dies on the first task the executor refuses (JDK-8277969), so not even a timeout comes. A hub that stops
     * closes its client while a reconcile may still wait for an answer, holding a host-class row lock that others wait
     * for, and the shutdown hung for good. Here the executor is stopped only after {@code linger}: every call in flight
     * has had its answer or its timeout by then; new calls fail at once ("Client already closed").
     */
    static final class LingeringClose extends JdkHttpClientFactory {
        private static final ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hub-client-close");
            t.setDaemon(true);
            return t;
        });
        private final Duration linger;

        LingeringClose(Duration linger) {
            this.linger = linger;
        }

        @Override
        protected void closeHttpClient(JdkHttpClientImpl client) {
            LATER.schedule(() -> super.closeHttpClient(client), linger.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static volatile boolean warned;

    /**
     * The JDK HTTP client completes every asynchronous call on CompletableFuture's default executor, and that executor
     * starts a new thread per task when the common pool has fewer than two threads, as on a machine (or a container's
     * CPU limit) of two CPUs or fewer. Every answer of the management hub would then cost a thread start. {@code ./hub}
     * and {@code deploy/} give the common pool two threads; a JVM started otherwise is told once.
     */
    static void warnOnThreadPerAnswer() {
        if (!warned && threadPerAnswer()) {
            warned = true;
            LOG.warnf("The JVM's common pool has %d thread(s): each answer of the management hub's API will start a"
                    + " thread. Start the JVM with -D%s=2 as ./hub does.", ForkJoinPool.getCommonPoolParallelism(),
                    COMMON_POOL_PARALLELISM);
        }
    }

    /** The system property that sizes the JVM's common pool. */
    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    /** Whether CompletableFuture's default executor starts a thread per task in this JVM. */
    private static boolean threadPerAnswer() {
        return ForkJoinPool.getCommonPoolParallelism() < 2;
    }

    /** Builds a client from the process environment; empty when nothing is configured. */
    public static Optional<KubernetesClient> fromEnvironment() {
        return create(Settings.fromEnv(System.getenv()));
    }

    /**
     * The client configuration for the first configured source, or empty. Fails (rather than falling through to
     * another source) when a source is configured but unusable, e.g. a kubeconfig path that does not exist or a URL
     * without a token: a misconfigured production hub must never silently become the embedded one.
     */
    public static Optional<Resolved> resolve(Settings s) {
        if (s.kubeconfig() != null) {
            if (!Files.isReadable(s.kubeconfig())) {
                throw new IllegalArgumentException("HUB_KUBECONFIG " + s.kubeconfig() + " is not a readable file");
            }
            Config base = Config.fromKubeconfig(s.kubeconfig().toFile());
            LOG.infof("Management hub: kubeconfig %s (server %s)", s.kubeconfig(), base.getMasterUrl());
            return Optional.of(new Resolved(Source.KUBECONFIG, tune(new ConfigBuilder(base), s).build()));
        }
        if (s.url() != null || s.token() != null) {
            if (s.url() == null || s.token() == null) {
                throw new IllegalArgumentException("HUB_KUBE_URL and HUB_KUBE_TOKEN must be set together");
            }
            if (s.caFile() != null && !Files.isReadable(s.caFile())) {
                throw new IllegalArgumentException("HUB_KUBE_CA_FILE " + s.caFile() + " is not a readable file");
            }
            ConfigBuilder b = new ConfigBuilder(Config.empty())
                    .withMasterUrl(s.url())
                    .withOauthToken(s.token())
                    .withTrustCerts(s.insecure())
                    .withDisableHostnameVerification(s.insecure());
            if (s.caFile() != null) {
                b.withCaCertFile(s.caFile().toString());
            }
            LOG.infof("Management hub: %s with a bearer token%s", s.url(),
                    s.insecure() ? " (TLS verification disabled)" : s.caFile() != null ? ", CA " + s.caFile() : "");
            return Optional.of(new Resolved(Source.URL_AND_TOKEN, tune(b, s).build()));
        }
        if (s.serviceAccountDir() != null && s.serviceHost() != null
                && Files.isReadable(s.serviceAccountDir().resolve("token"))) {
            Path dir = s.serviceAccountDir();
            String host = s.serviceHost().contains(":") ? "[" + s.serviceHost() + "]" : s.serviceHost();
            String url = "https://" + host + ":" + Objects.requireNonNullElse(s.servicePort(), "443");
            ConfigBuilder b = new ConfigBuilder(Config.empty())
                    .withMasterUrl(url)
                    .withOauthTokenProvider(new FileTokenProvider(dir.resolve("token")));
            if (Files.isReadable(dir.resolve("ca.crt"))) {
                b.withCaCertFile(dir.resolve("ca.crt").toString());
            }
            if (Files.isReadable(dir.resolve("namespace"))) {
                b.withNamespace(read(dir.resolve("namespace")).trim());
            }
            LOG.infof("Management hub: in-cluster service account at %s (server %s)", dir, url);
            return Optional.of(new Resolved(Source.SERVICE_ACCOUNT, tune(b, s).build()));
        }
        LOG.debug("Management hub: no kubeconfig, URL+token or service account configured");
        return Optional.empty();
    }

    private static ConfigBuilder tune(ConfigBuilder b, Settings s) {
        return b.withConnectionTimeout(Math.toIntExact(s.connectTimeout().toMillis()))
                .withRequestTimeout(Math.toIntExact(s.requestTimeout().toMillis()))
                .withRequestRetryBackoffLimit(s.retryBackoffLimit())
                .withRequestRetryBackoffInterval(Math.toIntExact(s.retryBackoffInterval().toMillis()))
                // watches reconnect forever, starting at 1 s; informers then relist
                .withWatchReconnectInterval(1000)
                .withWatchReconnectLimit(-1);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** Re-reads a projected service-account token (kubelet rotates it) at most once a minute. */
    static final class FileTokenProvider implements io.fabric8.kubernetes.client.OAuthTokenProvider {
        private final Path file;
        private String token;
        private long readAt;

        FileTokenProvider(Path file) {
            this.file = file;
        }

        @Override
        public synchronized String getToken() {
            long now = System.nanoTime();
            if (token == null || now - readAt > Duration.ofMinutes(1).toNanos()) {
                token = read(file).trim();
                readAt = now;
            }
            return token;
        }

        @Override
        public String toString() {
            return "FileTokenProvider[" + file + "]";
        }
    }
}
