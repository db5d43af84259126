package io.fulfillmenthub.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.fulfillmenthub.clusters.ClusterState;
import io.fulfillmenthub.clusters.ClusterStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Business gauges: clusters by state, refreshed from the store (so every replica reports the same numbers). */
@ApplicationScoped
public class BusinessMetrics {

    private static final Logger LOG = Logger.getLogger(BusinessMetrics.class);

    @Inject
    MeterRegistry registry;
    @Inject
    ClusterStore clusters;

    private final Map<String, AtomicLong> byState = new ConcurrentHashMap<>();

    @PostConstruct
    void register() {
        for (ClusterState s : ClusterState.values()) {
            AtomicLong v = new AtomicLong();
            byState.put(s.name(), v);
            Gauge.builder("hub_clusters", v, AtomicLong::get).tag("state", s.name())
                    .description("clusters in the store by state").register(registry);
        }
    }

    @Scheduled(every = "${hub.metrics.refresh:10s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            clusters.countByState().forEach((state, n) -> byState.computeIfAbsent(state, k -> new AtomicLong()).set(n));
        } catch (RuntimeException e) {
            LOG.debugf("cluster gauges not refreshed: %s", e.getMessage());
        }
    }
}
