package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart under real Helm (helm-java bundles Helm's engine): {@code helm lint --strict} and
 * {@code helm template} with the default values and with every optional feature on
 * (ci/all-features-values.yaml); every rendered object is validated against the Kubernetes schemas
 * ({@link KubernetesManifests}) and cross-checked ({@link ManifestChecks}).
 */
class HelmChartTest {
    static final Path CHART = Path.of("helm/csm-server");
    static final Path ALL_FEATURES = CHART.resolve("ci/all-features-values.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<HasMetadata> render(UnaryOperator<TemplateCommand> options) throws IOException {
        String out =
                options.apply(new Helm(CHART).template().withName("tts").withNamespace("speech"))
                        .call();
        return KubernetesManifests.parse(out);
    }

    static List<HasMetadata> renderDefault() throws IOException {
        return render(t -> t);
    }

    static List<HasMetadata> renderAllFeatures() throws IOException {
        return render(t -> t.withValuesFile(ALL_FEATURES));
    }

    @Test
    void lintStrictWithDefaultValues() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertFalse(result.isFailed(), "helm lint --strict: " + result.getMessages());
    }

    @Test
    void lintStrictWithEveryFeatureOn(@TempDir Path tmp) throws IOException {
        // helm lint reads the chart's own values.yaml: lint a copy whose values are the defaults
        // overlaid with the all-features file (the same merge helm does for -f).
        Path copy = tmp.resolve("csm-server");
        copyTree(CHART, copy);
        JsonNode merged =
                merge(
                        YAML.readTree(CHART.resolve("values.yaml").toFile()),
                        YAML.readTree(ALL_FEATURES.toFile()));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        LintResult result = new Helm(copy).lint().strict().call();
        assertFalse(
                result.isFailed(), "helm lint --strict (all features): " + result.getMessages());
    }

    @Test
    void defaultValuesRenderTheCoreObjectsOnly() throws IOException {
        List<HasMetadata> objects = renderDefault();
        assertEquals(
                Set.of(
                        "ConfigMap",
                        "Deployment",
                        "PersistentVolumeClaim",
                        "PodDisruptionBudget",
                        "Service",
                        "ServiceAccount"),
                kinds(objects));
        ManifestChecks.crossReferences(objects, null);

        Deployment deployment = ManifestChecks.only(objects, Deployment.class);
        assertEquals(1, deployment.getSpec().getReplicas());
        Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(new Quantity("1"), c.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals(new Quantity("1"), c.getResources().getRequests().get("nvidia.com/gpu"));
        assertEquals(
                "nvidia.com/gpu",
                deployment.getSpec().getTemplate().getSpec().getTolerations().get(0).getKey());
        assertEquals("/q/health/started", c.getStartupProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
        // SIGTERM after the preStop sleep; then the queue's grace (10 s), the 1 s shutdown delay
        // and the
        // HTTP drain (quarkus.shutdown.timeout, 15 s at most) must fit before the kubelet kills the
        // pod.
        List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
        assertEquals("sleep", preStop.get(0));
        long shutdownBudget = Long.parseLong(preStop.get(1)) + 10 + 1 + 15;
        assertTrue(
                deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()
                        >= shutdownBudget,
                "terminationGracePeriodSeconds covers " + shutdownBudget + " s");
        int startupBudget =
                c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold();
        assertTrue(
                startupBudget >= 15 * 60,
                "startup budget for real weights: " + startupBudget + " s");

        ConfigMap config = ManifestChecks.only(objects, ConfigMap.class);
        assertEquals("sesame/csm-1b", config.getData().get("CSM_MODEL_HF_ID"));
        assertEquals("file", config.getData().get("CSM_CONTEXTS_STORE"));
        assertNull(config.getData().get("QUARKUS_REDIS_HOSTS"), "no Redis unless asked for");
        assertFalse(
                config.getData().containsKey("CSM_MODEL_DIR"),
                "empty settings keep the service default");
    }

    @Test
    void everyOptionalFeatureRendersValidObjects() throws IOException {
        List<HasMetadata> objects = renderAllFeatures();
        assertEquals(
                Set.of(
                        "ConfigMap",
                        "Deployment",
                        "HorizontalPodAutoscaler",
                        "Ingress",
                        "PersistentVolumeClaim",
                        "PodDisruptionBudget",
                        "Secret",
                        "Service",
                        "ServiceAccount",
                        "ServiceMonitor"),
                kinds(objects));
        ManifestChecks.crossReferences(objects, null);

        List<Deployment> deployments = ManifestChecks.all(objects, Deployment.class);
        assertEquals(2, deployments.size(), "the service and its Redis");
        Deployment app =
                deployments.stream()
                        .filter(d -> d.getMetadata().getName().equals("tts-csm-server"))
                        .findFirst()
                        .orElseThrow();
        assertNull(app.getSpec().getReplicas(), "the HPA owns the replica count");

        ConfigMap config = ManifestChecks.only(objects, ConfigMap.class);
        assertEquals("redis", config.getData().get("CSM_CONTEXTS_STORE"));
        assertEquals(
                "redis://tts-csm-server-redis:6379", config.getData().get("QUARKUS_REDIS_HOSTS"));

        var secret = ManifestChecks.only(objects, io.fabric8.kubernetes.api.model.Secret.class);
        assertEquals(
                Set.of("HF_TOKEN", "CSM_AUTH_API_KEY", "CSM_WATERMARK_KEY"),
                secret.getData().keySet());

        HorizontalPodAutoscaler hpa = ManifestChecks.only(objects, HorizontalPodAutoscaler.class);
        assertEquals(
                "csm_queue_depth",
                hpa.getSpec().getMetrics().get(0).getPods().getMetric().getName());
    }

    @Test
    void externalRedisAndExistingSecretAndClaim() throws IOException {
        List<HasMetadata> objects =
                render(
                        t ->
                                t.set("config.CSM_CONTEXTS_STORE", "redis")
                                        .set(
                                                "config.QUARKUS_REDIS_HOSTS",
                                                "redis://shared-redis.cache:6379")
                                        .set("existingSecret", "csm-secrets")
                                        .set("persistence.existingClaim", "csm-weights")
                                        .set("autoscaling.enabled", "true")
                                        .set("autoscaling.metric.type", "External"));
        assertFalse(kinds(objects).contains("Secret"));
        assertFalse(kinds(objects).contains("PersistentVolumeClaim"));
        assertEquals(1, ManifestChecks.all(objects, Deployment.class).size(), "no chart Redis");
        ManifestChecks.crossReferences(objects, Set.of("csm-secrets", "csm-weights"));
        assertEquals(
                "redis://shared-redis.cache:6379",
                ManifestChecks.only(objects, ConfigMap.class).getData().get("QUARKUS_REDIS_HOSTS"));
        assertNotNull(
                ManifestChecks.only(objects, HorizontalPodAutoscaler.class)
                        .getSpec()
                        .getMetrics()
                        .get(0)
                        .getExternal());
    }

    @Test
    void inconsistentSettingsFailTheRender() {
        var twoGpus =
                assertThrows(RuntimeException.class, () -> render(t -> t.set("gpu.count", "2")));
        assertTrue(twoGpus.getMessage().contains("one replica = one GPU"), twoGpus.getMessage());
        var noRedis =
                assertThrows(
                        RuntimeException.class,
                        () -> render(t -> t.set("config.CSM_CONTEXTS_STORE", "redis")));
        assertTrue(noRedis.getMessage().contains("QUARKUS_REDIS_HOSTS"), noRedis.getMessage());
        // values.schema.json: a misspelled setting is an error, not a silently ignored value.
        var typo =
                assertThrows(
                        RuntimeException.class,
                        () -> render(t -> t.set("config.CSM_MODEL_DEVIC", "cuda")));
        assertTrue(typo.getMessage().contains("CSM_MODEL_DEVIC"), typo.getMessage());
        var badType =
                assertThrows(
                        RuntimeException.class, () -> render(t -> t.set("service.port", "http")));
        assertTrue(badType.getMessage().contains("port"), badType.getMessage());
    }

    @Test
    void readmeDocumentsEveryValue() throws IOException {
        String readme = Files.readString(CHART.resolve("README.md"));
        List<String> missing = new java.util.ArrayList<>();
        valuePaths(YAML.readTree(CHART.resolve("values.yaml").toFile()), "", missing);
        missing.removeIf(path -> readme.contains("| `" + path + "` |"));
        assertTrue(missing.isEmpty(), "values missing from the README table: " + missing);
    }

    /** Keys whose whole object is passed through toYaml: documented as one row. */
    private static final Set<String> OPAQUE =
            Set.of(
                    "annotations",
                    "labels",
                    "nodeSelector",
                    "affinity",
                    "selector",
                    "podLabels",
                    "podAnnotations",
                    "resources",
                    "behavior",
                    "strategy",
                    "podSecurityContext",
                    "securityContext");

    private static void valuePaths(JsonNode node, String path, List<String> out) {
        String last = path.substring(path.lastIndexOf('.') + 1);
        if (node.isObject() && !node.isEmpty() && !OPAQUE.contains(last)) {
            node.fields()
                    .forEachRemaining(
                            e ->
                                    valuePaths(
                                            e.getValue(),
                                            path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
                                            out));
        } else {
            out.add(path);
        }
    }

    static Set<String> kinds(List<HasMetadata> objects) {
        return objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
    }

    /** Helm's values merge: maps merge key by key, anything else in the overlay replaces. */
    private static JsonNode merge(JsonNode base, JsonNode overlay) {
        if (!(base instanceof ObjectNode b) || !overlay.isObject()) {
            return overlay;
        }
        overlay.fields()
                .forEachRemaining(
                        e ->
                                b.set(
                                        e.getKey(),
                                        b.has(e.getKey())
                                                ? merge(b.get(e.getKey()), e.getValue())
                                                : e.getValue()));
        return b;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.naturalOrder())::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
