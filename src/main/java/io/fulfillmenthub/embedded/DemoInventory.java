package io.fulfillmenthub.embedded;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fulfillmenthub.provisioning.hub.HubLabels;

/**
 * The embedded hub's hardware: per host class a number of Agents with their BareMetalHosts, as the agent-based
 * platform shows discovered, approved hosts. Finite on purpose: enough for several clusters, not for all.
 */
public final class DemoInventory {

    private DemoInventory() {
    }

    /** Seeds the namespace; hosts already present are left as they are. Returns the number of Agents. */
    public static int seed(KubernetesClient client, String namespace, Map<String, Integer> hostsPerClass) {
        if (client.namespaces().withName(namespace).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                    .create();
        }
        var agents = client.genericKubernetesResources(HubLabels.AGENTS).inNamespace(namespace);
        var bmhs = client.genericKubernetesResources(HubLabels.BARE_METAL_HOSTS).inNamespace(namespace);
        // what is there already: one list per kind, not one read per host
        Set<String> presentBmhs = names(bmhs.list().getItems());
        Set<String> presentAgents = names(agents.list().getItems());
        int classIndex = 0;
        int total = 0;
        for (Map.Entry<String, Integer> e : hostsPerClass.entrySet()) {
            classIndex++;
            for (int i = 1; i <= e.getValue(); i++) {
                String name = String.format("%s-%02d", e.getKey(), i);
                String bmc = String.format("redfish-virtualmedia://10.10.%d.%d/redfish/v1/Systems/1", classIndex, i);
                String mac = String.format("52:54:00:%02x:%02x:%02x", classIndex, i / 256, i % 256);
                if (!presentBmhs.contains(name)) {
                    client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata()
                            .withName(name + "-bmc-secret").endMetadata()
                            .addToStringData("username", "admin").addToStringData("password", "embedded").build())
                            .createOr(op -> op.update());
                    createWithStatus(bmhs, bareMetalHost(namespace, name, e.getKey(), bmc, mac));
                }
                if (!presentAgents.contains(name)) {
                    createWithStatus(agents, agent(namespace, name, e.getKey(), bmc, mac, i));
                }
                total++;
            }
        }
        return total;
    }

    private static Set<String> names(List<GenericKubernetesResource> items) {
        Set<String> out = new HashSet<>();
        for (GenericKubernetesResource r : items) {
            out.add(r.getMetadata().getName());
        }
        return out;
    }

    /** As on a real API server, status is its own subresource: create the object, then write its status. */
    private static void createWithStatus(
            io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList, io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> op,
            GenericKubernetesResource obj) {
        Object status = obj.getAdditionalProperties().get("status");
        GenericKubernetesResource created = op.resource(obj).create();
        created.getAdditionalProperties().put("status", status);
        op.resource(created).updateStatus();
    }

    static GenericKubernetesResource bareMetalHost(String ns, String name, String hostClass, String bmc, String mac) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("online", true);
        spec.put("bmc", Map.of("address", bmc, "credentialsName", name + "-bmc-secret", "disableCertificateVerification", true));
        spec.put("bootMACAddress", mac);
        spec.put("automatedCleaningMode", "metadata");
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("operationalStatus", "OK");
        status.put("provisioning", Map.of("state", "provisioned", "ID", name));
        status.put("errorMessage", "");
        status.put("errorCount", 0);
        status.put("provisioningFailCount", 0);
        status.put("hardwareProfile", "unknown");
        status.put("poweredOn", true);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(HubLabels.apiVersion(HubLabels.BARE_METAL_HOSTS)).withKind(HubLabels.BARE_METAL_HOST_KIND)
                .withNewMetadata().withName(name).withNamespace(ns)
                .addToLabels(HubLabels.HOST_CLASS, hostClass).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec, "status", status))
                .build();
    }

    static GenericKubernetesResource agent(String ns, String name, String hostClass, String bmc, String mac, int i) {
        boolean gpu = hostClass.startsWith("gpu");
        boolean highmem = hostClass.contains("highmem");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("approved", true);
        spec.put("role", "worker");
        spec.put("hostname", name + ".hardware.example.com");
        Map<String, Object> inventory = new LinkedHashMap<>();
        inventory.put("hostname", name + ".hardware.example.com");
        inventory.put("bmcAddress", bmc);
        inventory.put("cpu", Map.of("count", gpu ? 64 : 32, "architecture", "x86_64"));
        inventory.put("memory", Map.of("physicalBytes", (highmem ? 1024L : gpu ? 512L : 256L) * 1024 * 1024 * 1024));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", List.of(
                condition("SpecSynced", "True", "SyncOK"),
                condition("Connected", "True", "AgentIsConnected"),
                condition("RequirementsMet", "True", "AgentIsReady"),
                condition("Validated", "True", "ValidationsPassing"),
                condition("Installed", "False", "InstallationNotStarted"),
                condition("Bound", "False", "Unbound")));
        status.put("inventory", inventory);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(HubLabels.apiVersion(HubLabels.AGENTS)).withKind(HubLabels.AGENT_KIND)
                .withNewMetadata().withName(name).withNamespace(ns)
                .addToLabels(HubLabels.HOST_CLASS, hostClass).addToLabels(HubLabels.AGENT_BMH, name).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec, "status", status))
                .build();
    }

    static Map<String, Object> condition(String type, String status, String reason) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("status", status);
        c.put("reason", reason);
        c.put("message", type + " " + status);
        c.put("lastTransitionTime", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        return c;
    }
}
