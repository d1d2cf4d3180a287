package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chart and the Dockerfile use what the service really has: its HTTP port and health/metrics
 * paths (application.properties with Quarkus defaults, extensions on the class path).
 */
class DeployContractTest {
    private static Container appContainer(List<HasMetadata> objects) {
        return ManifestChecks.all(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("tts-csm-server")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void chartUsesTheServicePortAndHealthPaths() throws IOException {
        for (List<HasMetadata> objects : List.of(HelmChartTest.renderDefault(), HelmChartTest.renderAllFeatures())) {
            Container c = appContainer(objects);
            assertEquals(ServiceContract.httpPort(), c.getPorts().get(0).getContainerPort());
            assertEquals(ServiceContract.started(), c.getStartupProbe().getHttpGet().getPath());
            assertEquals(ServiceContract.ready(), c.getReadinessProbe().getHttpGet().getPath());
            assertEquals(ServiceContract.live(), c.getLivenessProbe().getHttpGet().getPath());
        }
        String monitor = Files.readString(HelmChartTest.CHART.resolve("templates/servicemonitor.yaml"));
        assertTrue(monitor.contains("path: " + ServiceContract.metrics()), "ServiceMonitor scrapes " + ServiceContract.metrics());
    }

    @Test
    void healthAndPrometheusExtensionsServeThosePaths() throws ClassNotFoundException {
        // /q/health/{started,ready,live} come from SmallRye Health, /q/metrics from Micrometer's
        // Prometheus registry, the Redis client from quarkus-redis-client: all on the class path.
        Class.forName("io.quarkus.smallrye.health.runtime.SmallRyeHealthHandler");
        Class.forName("io.quarkus.micrometer.runtime.export.PrometheusRecorder");
        Class.forName("io.quarkus.redis.datasource.RedisDataSource");
    }
}
