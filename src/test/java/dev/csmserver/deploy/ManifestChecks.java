package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a schema cannot see: names are valid, and every reference between the rendered objects
 * (Service to pods and ports, probes to ports, envFrom to ConfigMap/Secret, volumes to claims,
 * HPA/PDB/Ingress/ServiceMonitor to their targets) resolves.
 */
final class ManifestChecks {
    private static final Pattern DNS_1123 = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private ManifestChecks() {}

    static <T> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        assertEquals(1, found.size(), "exactly one " + type.getSimpleName());
        return found.get(0);
    }

    /**
     * @param external names of objects the operator provides (existing Secret, claim); may be null
     */
    static void crossReferences(List<HasMetadata> objects, Set<String> external) {
        Set<String> names = new HashSet<>(external == null ? Set.of() : external);
        for (HasMetadata o : objects) {
            String name = o.getMetadata().getName();
            assertTrue(
                    name.length() <= 63 && DNS_1123.matcher(name).matches(),
                    "invalid name " + name);
            names.add(o.getKind() + "/" + name);
            names.add(name);
        }
        all(objects, Deployment.class).forEach(d -> checkDeployment(d, objects, names));
        all(objects, Service.class).forEach(s -> checkService(s, objects));
        for (HorizontalPodAutoscaler hpa : all(objects, HorizontalPodAutoscaler.class)) {
            var ref = hpa.getSpec().getScaleTargetRef();
            assertTrue(
                    names.contains(ref.getKind() + "/" + ref.getName()),
                    "HPA target " + ref.getName());
            assertTrue(
                    hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas(), "HPA bounds");
        }
        for (PodDisruptionBudget pdb : all(objects, PodDisruptionBudget.class)) {
            assertTrue(
                    selectsPods(pdb.getSpec().getSelector().getMatchLabels(), objects),
                    "PDB selects no pod");
        }
        all(objects, Ingress.class).forEach(i -> checkIngress(i, objects));
        all(objects, ServiceMonitor.class).forEach(m -> checkServiceMonitor(m, objects, names));
    }

    private static void checkDeployment(
            Deployment d, List<HasMetadata> objects, Set<String> names) {
        String where = "Deployment " + d.getMetadata().getName();
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(
                podLabels
                        .entrySet()
                        .containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()),
                where + ": selector does not match the pod labels");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        String sa = pod.getServiceAccountName();
        assertTrue(
                sa == null || sa.equals("default") || names.contains("ServiceAccount/" + sa),
                where + ": SA " + sa);
        for (Volume v : pod.getVolumes()) {
            if (v.getPersistentVolumeClaim() != null) {
                String claim = v.getPersistentVolumeClaim().getClaimName();
                assertTrue(
                        names.contains("PersistentVolumeClaim/" + claim) || names.contains(claim),
                        where + ": missing claim " + claim);
            }
        }
        Set<String> volumes =
                pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
        for (Container c : pod.getContainers()) {
            assertTrue(
                    c.getImage() != null && c.getImage().contains(":"),
                    where + ": image with a tag");
            Set<String> ports =
                    c.getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet());
            Stream.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())
                    .filter(p -> p != null)
                    .map(ManifestChecks::probePort)
                    .filter(p -> p != null && p.getStrVal() != null)
                    .forEach(
                            p ->
                                    assertTrue(
                                            ports.contains(p.getStrVal()),
                                            where + ": probe port " + p.getStrVal()));
            c.getVolumeMounts()
                    .forEach(
                            m ->
                                    assertTrue(
                                            volumes.contains(m.getName()),
                                            where + ": " + m.getName()));
            for (EnvFromSource e : c.getEnvFrom()) {
                String ref =
                        e.getConfigMapRef() != null
                                ? "ConfigMap/" + e.getConfigMapRef().getName()
                                : "Secret/" + e.getSecretRef().getName();
                assertTrue(
                        names.contains(ref) || names.contains(ref.substring(ref.indexOf('/') + 1)),
                        where + ": envFrom " + ref);
            }
            if (c.getResources() != null) {
                Stream.of(c.getResources().getLimits(), c.getResources().getRequests())
                        .filter(m -> m != null)
                        .flatMap(m -> m.values().stream())
                        .forEach(Quantity::getAmountInBytes); // throws on a malformed quantity
            }
        }
    }

    private static IntOrString probePort(Probe p) {
        if (p.getHttpGet() != null) {
            return p.getHttpGet().getPort();
        }
        return p.getTcpSocket() != null ? p.getTcpSocket().getPort() : null;
    }

    private static void checkService(Service s, List<HasMetadata> objects) {
        Map<String, String> selector = s.getSpec().getSelector();
        List<Container> containers =
                all(objects, Deployment.class).stream()
                        .filter(
                                d ->
                                        d.getSpec()
                                                .getTemplate()
                                                .getMetadata()
                                                .getLabels()
                                                .entrySet()
                                                .containsAll(selector.entrySet()))
                        .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                        .toList();
        assertTrue(
                !containers.isEmpty(), "Service " + s.getMetadata().getName() + " selects no pod");
        Set<String> ports =
                containers.stream()
                        .flatMap(c -> c.getPorts().stream())
                        .map(ContainerPort::getName)
                        .collect(Collectors.toSet());
        for (ServicePort p : s.getSpec().getPorts()) {
            String target = p.getTargetPort().getStrVal();
            assertTrue(target == null || ports.contains(target), "Service targetPort " + target);
        }
    }

    private static boolean selectsPods(Map<String, String> selector, List<HasMetadata> objects) {
        return all(objects, Deployment.class).stream()
                .anyMatch(
                        d ->
                                d.getSpec()
                                        .getTemplate()
                                        .getMetadata()
                                        .getLabels()
                                        .entrySet()
                                        .containsAll(selector.entrySet()));
    }

    private static Service service(List<HasMetadata> objects, String name) {
        return all(objects, Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Service " + name));
    }

    private static void checkIngress(Ingress ingress, List<HasMetadata> objects) {
        ingress.getSpec()
                .getRules()
                .forEach(
                        rule ->
                                rule.getHttp()
                                        .getPaths()
                                        .forEach(
                                                path -> {
                                                    var backend = path.getBackend().getService();
                                                    Service s = service(objects, backend.getName());
                                                    String port = backend.getPort().getName();
                                                    assertTrue(
                                                            s.getSpec().getPorts().stream()
                                                                    .anyMatch(
                                                                            p ->
                                                                                    p.getName()
                                                                                            .equals(
                                                                                                    port)),
                                                            "Ingress port " + port);
                                                }));
    }

    private static void checkServiceMonitor(
            ServiceMonitor m, List<HasMetadata> objects, Set<String> names) {
        Map<String, String> selector = m.getSpec().getSelector().getMatchLabels();
        List<Service> selected =
                all(objects, Service.class).stream()
                        .filter(
                                s ->
                                        s.getMetadata()
                                                .getLabels()
                                                .entrySet()
                                                .containsAll(selector.entrySet()))
                        .toList();
        assertTrue(!selected.isEmpty(), "ServiceMonitor selects no Service");
        for (var endpoint : m.getSpec().getEndpoints()) {
            assertTrue(
                    selected.stream()
                            .allMatch(
                                    s ->
                                            s.getSpec().getPorts().stream()
                                                    .anyMatch(
                                                            p ->
                                                                    p.getName()
                                                                            .equals(
                                                                                    endpoint
                                                                                            .getPort()))),
                    "ServiceMonitor port " + endpoint.getPort());
            if (endpoint.getAuthorization() != null) {
                String secret = endpoint.getAuthorization().getCredentials().getName();
                assertTrue(
                        names.contains("Secret/" + secret) || names.contains(secret),
                        "metrics secret " + secret);
            }
        }
    }
}
