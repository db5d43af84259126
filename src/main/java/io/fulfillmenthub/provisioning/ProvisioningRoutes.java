package io.fulfillmenthub.provisioning;

import io.fulfillmenthub.http.ApiRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** REST DSL of cluster credentials (tenant API) and of the SRE's retry (provider API). */
@ApplicationScoped
public class ProvisioningRoutes extends ApiRoutes {

    @Inject
    ClusterAccessApi api;

    @Override
    public void configure() {
        problems();
        rest("/api/fulfillment/v1/clusters").description("Credentials of READY clusters")
                .get("/{id}/kubeconfig").id("clusters-kubeconfig").produces("application/yaml").to("direct:clusters-kubeconfig")
                .get("/{id}/password").id("clusters-password").produces("text/plain").to("direct:clusters-password");
        rest("/api/admin/v1/clusters").description("Remediation")
                .post("/{id}/retry").id("admin-clusters-retry").to("direct:admin-clusters-retry");
        from("direct:clusters-kubeconfig").process(api::kubeconfig);
        from("direct:clusters-password").process(api::password);
        from("direct:admin-clusters-retry").process(api::retry);
    }
}
