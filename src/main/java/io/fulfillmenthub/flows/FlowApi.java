package io.fulfillmenthub.flows;

import java.util.stream.Collectors;

import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/**
 * {@code GET /api/admin/v1/flows} (provider-admin, sre): the loaded route and Kamelet files, the last reload and its
 * errors. {@code POST /api/admin/v1/flows/reload} (provider-admin): reload now; 200 with the report when applied or
 * unchanged, 400 problem JSON naming the first faulty file when refused (the running routes stay).
 */
@ApplicationScoped
@Named("flowApi")
public class FlowApi {

    @Inject
    Auth auth;
    @Inject
    FlowLoader loader;

    public void status(Exchange ex) {
        auth.require(ex, Role.PROVIDER_ADMIN, Role.SRE);
        Api.json(ex, 200, loader.status());
    }

    public void reload(Exchange ex) {
        auth.require(ex, Role.PROVIDER_ADMIN);
        FlowLoader.Report r = loader.reload("api");
        if ("applied".equals(r.outcome) || "unchanged".equals(r.outcome)) {
            Api.json(ex, 200, r);
            return;
        }
        String detail = "the reload was " + r.outcome + "; the running routes stay as they were: "
                + r.errors.stream().map(p -> (p.file() == null ? "" : p.file() + ": ") + p.message())
                        .collect(Collectors.joining("; "));
        String file = r.errors.stream().map(FlowValidator.Problem::file).filter(f -> f != null).findFirst().orElse(null);
        throw ProblemException.invalid(file, detail);
    }
}
