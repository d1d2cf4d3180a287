package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.util.cuda.CudaUtils;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * DJL runs on the JNA it was built against. DJL counts GPUs through JNA (CudaUtils loads
 * libcudart), and the Quarkus BOM, imported before DJL's, pinned JNA 5.8.0 under DJL 0.36's 5.17.0
 * until pom.xml managed it: a mismatch would show only on a CUDA node. The packaged app's copy is
 * checked by DockerNativesIT.
 */
class JnaVersionTest {

    @Test
    void theJnaDjlLoadsIsTheVersionDjlApiDeclares() throws Exception {
        String declared = DjlJna.declaredVersion();
        // The class loader that loaded DJL's CUDA helper decides which JNA it links against.
        Class<?> nativeClass =
                Class.forName("com.sun.jna.Native", false, CudaUtils.class.getClassLoader());
        Path jar = DjlJna.jarOf(nativeClass);
        assertEquals(
                declared,
                DjlJna.versionOf(jar),
                "ai.djl:api declares JNA " + declared + " but DJL loads " + jar);
    }

    @Test
    void djlCountsGpusThroughThatJnaWithoutThrowing() {
        // A real call: JNA looks for libcudart; with none here (no GPU) the count is 0, not a
        // crash.
        int count = CudaUtils.getGpuCount();
        assertTrue(count >= 0, "GPU count " + count);
    }
}
