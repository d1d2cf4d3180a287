package dev.csmserver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.pipeline.ComputeDevice;
import dev.csmserver.pipeline.WeightDtype;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerConfig} built by SmallRye Config as the service builds it: the enum settings take
 * their documented spellings, and a value outside them stops the build with a message that names
 * the setting, the value and what it accepts.
 */
class ServerConfigTest {
    private static SmallRyeConfig build(Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                // "10s", "2m": Quarkus' duration spelling, as the service reads it
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .withDefaultValue("user.home", "/home/test")
                .withMapping(ServerConfig.class)
                .build();
    }

    @Test
    void enumSettingsTakeTheirDocumentedSpellings() {
        ServerConfig c =
                build(
                                Map.of(
                                        "csm.model.device", "CUDA",
                                        "csm.model.dtype", "fp16",
                                        "csm.contexts.store", "redis",
                                        "csm.cpu.threads", "3"))
                        .getConfigMapping(ServerConfig.class);
        assertEquals(ComputeDevice.CUDA, c.model().device());
        assertEquals(WeightDtype.FLOAT16, c.model().dtype());
        assertEquals(ContextStoreKind.REDIS, c.contexts().store());
        assertEquals(3, c.cpu().threads().getAsInt());

        ServerConfig defaults = build(Map.of()).getConfigMapping(ServerConfig.class);
        assertEquals(ComputeDevice.AUTO, defaults.model().device());
        assertEquals(WeightDtype.AUTO, defaults.model().dtype());
        assertEquals(ContextStoreKind.FILE, defaults.contexts().store());
        assertTrue(defaults.cpu().threads().isEmpty(), "absent: every processor");
        assertEquals(Duration.ofMinutes(10), defaults.queue().deadline());
    }

    @Test
    void aBadValueStopsTheBuildNamingTheSettingAndWhatItAccepts() {
        for (String[] bad :
                new String[][] {
                    {"csm.model.dtype", "bfloat16", "auto, float32 or float16"},
                    {"csm.model.device", "tpu", "auto, cpu or cuda"},
                    {"csm.contexts.store", "s3", "file or redis"}
                }) {
            RuntimeException e =
                    assertThrows(RuntimeException.class, () -> build(Map.of(bad[0], bad[1])));
            String m = messages(e);
            assertTrue(
                    m.contains(bad[0]) && m.contains("'" + bad[1] + "'") && m.contains(bad[2]), m);
        }
    }

    /** The message of {@code e} and its causes, as a boot log shows them. */
    private static String messages(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append('\n');
        }
        return out.toString();
    }
}
