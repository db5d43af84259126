package io.fulfillmenthub.ops;

import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the store answers. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    @Inject
    Db db;

    @Override
    public HealthCheckResponse call() {
        boolean up;
        String error = null;
        try {
            up = db.ping();
        } catch (RuntimeException e) {
            up = false;
            error = e.getMessage();
        }
        var b = HealthCheckResponse.named("database").status(up).withData("kind", db.kind());
        if (error != null) {
            b.withData("error", error);
        }
        return b.build();
    }
}
