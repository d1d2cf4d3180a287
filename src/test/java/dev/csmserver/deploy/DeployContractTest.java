package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The chart and the Dockerfile use what the service really has: its HTTP port and health/metrics
 * paths (application.properties with Quarkus defaults, extensions on the class path), its settings
 * (every CSM_* name is a property of {@code config.ServerConfig} and every property is a chart
 * value, named as in .env.example), and its queue-depth meter (metrics.Meters) for the HPA.
 */
class DeployContractTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Environment names that are not csm.* properties, and where the service takes them from. */
    private static final Set<String> NON_CSM = Set.of("HF_TOKEN", "QUARKUS_REDIS_HOSTS");

    private static Container appContainer(List<HasMetadata> objects) {
        return ManifestChecks.all(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("tts-csm-server"))
                .findFirst()
                .orElseThrow()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    @Test
    void chartUsesTheServicePortAndHealthPaths() throws IOException {
        for (List<HasMetadata> objects :
                List.of(HelmChartTest.renderDefault(), HelmChartTest.renderAllFeatures())) {
            Container c = appContainer(objects);
            assertEquals(ServiceContract.httpPort(), c.getPorts().get(0).getContainerPort());
            assertEquals(ServiceContract.started(), c.getStartupProbe().getHttpGet().getPath());
            assertEquals(ServiceContract.ready(), c.getReadinessProbe().getHttpGet().getPath());
            assertEquals(ServiceContract.live(), c.getLivenessProbe().getHttpGet().getPath());
        }
        String monitor =
                Files.readString(HelmChartTest.CHART.resolve("templates/servicemonitor.yaml"));
        assertTrue(
                monitor.contains("path: " + ServiceContract.metrics()),
                "ServiceMonitor scrapes " + ServiceContract.metrics());
    }

    @Test
    void healthAndPrometheusExtensionsServeThosePaths() throws ClassNotFoundException {
        // /q/health/{started,ready,live} come from SmallRye Health, /q/metrics from Micrometer's
        // Prometheus registry, the Redis client from quarkus-redis-client: all on the class path.
        Class.forName("io.quarkus.smallrye.health.runtime.SmallRyeHealthHandler");
        Class.forName("io.quarkus.micrometer.runtime.export.PrometheusRecorder");
        Class.forName("io.quarkus.redis.datasource.RedisDataSource");
    }

    @Test
    void everyChartAndImageSettingIsAServiceSetting() throws Exception {
        Set<String> service = serviceEnvNames();
        Set<String> chart = chartEnvNames();
        Set<String> unknown = new TreeSet<>(chart);
        unknown.removeAll(service);
        unknown.removeAll(NON_CSM);
        assertTrue(unknown.isEmpty(), "chart values that are no service setting: " + unknown);
        Set<String> undocumented = new TreeSet<>(service);
        undocumented.removeAll(chart);
        undocumented.remove("CSM_MODEL_HF_TOKEN"); // given as the HF_TOKEN secret
        assertTrue(
                undocumented.isEmpty(),
                "service settings missing from the chart values: " + undocumented);

        Set<String> image = dockerfileEnvNames();
        image.removeAll(service);
        assertTrue(image.isEmpty(), "Dockerfile ENV that is no service setting: " + image);

        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        assertTrue(
                properties.contains("${HF_TOKEN"),
                "the service reads HF_TOKEN (application.properties)");
        Set<String> example = envExampleNames();
        Set<String> notInExample = new TreeSet<>(chart);
        notInExample.removeAll(example);
        notInExample.remove("QUARKUS_REDIS_HOSTS");
        assertTrue(
                notInExample.isEmpty(), "chart names missing from .env.example: " + notInExample);
    }

    @Test
    void everyServiceSettingIsDocumentedInEnvExample() throws Exception {
        Set<String> missing = serviceEnvNames();
        missing.removeAll(envExampleNames());
        missing.remove("CSM_MODEL_HF_TOKEN"); // documented as HF_TOKEN (application.properties)
        assertTrue(
                missing.isEmpty(),
                "config.ServerConfig settings missing from .env.example: " + missing);
        Set<String> unknown = new TreeSet<>(envExampleNames());
        unknown.removeIf(n -> !n.startsWith("CSM_"));
        unknown.removeAll(serviceEnvNames());
        assertTrue(unknown.isEmpty(), ".env.example names no service setting: " + unknown);
    }

    @Test
    void autoscalerScalesOnTheServiceQueueDepthMeter() throws Exception {
        String meter =
                (String)
                        Class.forName("dev.csmserver.metrics.Meters")
                                .getField("QUEUE_DEPTH")
                                .get(null);
        JsonNode values = YAML.readTree(HelmChartTest.CHART.resolve("values.yaml").toFile());
        // Micrometer's Prometheus naming: dots become underscores; a gauge gets no suffix.
        assertEquals(
                meter.replace('.', '_'),
                values.path("autoscaling").path("metric").path("name").asText());
    }

    /**
     * CSM_* names of every leaf of config.ServerConfig (SmallRye: csm.model.hf-id =
     * CSM_MODEL_HF_ID).
     */
    static Set<String> serviceEnvNames() throws ClassNotFoundException {
        Set<String> out = new TreeSet<>();
        collect(Class.forName("dev.csmserver.config.ServerConfig"), "csm", out);
        return out;
    }

    private static void collect(Class<?> mapping, String prefix, Set<String> out) {
        for (Method m : mapping.getMethods()) {
            if (m.getParameterCount() != 0
                    || Modifier.isStatic(m.getModifiers())
                    || m.isDefault()) {
                continue;
            }
            String name =
                    prefix
                            + "."
                            + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            Class<?> type = m.getReturnType();
            if (type.isInterface() && type.getName().startsWith("dev.csmserver.")) {
                collect(type, name, out);
            } else {
                out.add(name.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
            }
        }
    }

    static Set<String> chartEnvNames() throws IOException {
        JsonNode values = YAML.readTree(HelmChartTest.CHART.resolve("values.yaml").toFile());
        Set<String> out = new TreeSet<>();
        values.path("config").fieldNames().forEachRemaining(out::add);
        values.path("secrets").fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Set<String> dockerfileEnvNames() throws IOException {
        return Dockerfile.read(DockerfileTest.DOCKERFILE).instructions().stream()
                .filter(i -> i.keyword().equals("ENV"))
                .flatMap(i -> List.of(i.args().split(" ")).stream())
                .filter(w -> w.startsWith("CSM_"))
                .map(w -> w.substring(0, w.indexOf('=')))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> envExampleNames() throws IOException {
        return Files.readAllLines(Path.of(".env.example")).stream()
                .map(l -> l.strip().replaceFirst("^#\\s*", ""))
                .filter(l -> l.matches("[A-Z][A-Z0-9_]*=.*"))
                .map(l -> l.substring(0, l.indexOf('=')))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
