package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's native-library step (docker/fetch-natives.sh) run for real on the packaged app in
 * target/quarkus-app, as the Dockerfile's build stage runs it: the cpu variant makes DJL load
 * PyTorch and the tokenizers offline and leaves them in the cache; the gpu variant lays out a
 * libtorch zip (a stand-in from a file: URL, since nothing here may download) and the cu128 JNI
 * library exactly where DJL's PYTORCH_LIBRARY_PATH override looks.
 */
class DockerNativesIT {
    private static final Path APP = Path.of("target/quarkus-app");

    private static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "fetch-natives.sh hung");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void cpuVariantLoadsDjlOfflineFromTheJarsAndFillsTheCache(@TempDir Path cache) throws Exception {
        assertTrue(Files.isRegularFile(APP.resolve("quarkus-run.jar")), "run after package: " + APP);
        // The environment the Dockerfile's RUN gives it (PYTORCH_* are build args of both variants).
        String out = run(Map.of("PYTORCH_VERSION", "2.7.1", "PYTORCH_FLAVOR", "cu128", "LIBTORCH_URL", ""),
                "docker/fetch-natives.sh", "cpu", APP.toString(), cache.toString());
        assertTrue(out.contains("PyTorch") && out.contains("loaded"), out);
        List<String> files = files(cache);
        assertTrue(files.stream().anyMatch(f -> f.matches("pytorch/[^/]+-cpu-linux-x86_64/libtorch\\.so")), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.matches("pytorch/[^/]+-cpu-linux-x86_64/[0-9.]+-libdjl_torch\\.so")),
                files.toString());
        assertTrue(files.stream().anyMatch(f -> f.matches("tokenizers/[^/]+/libtokenizers\\.so")), files.toString());
    }

    @Test
    void gpuVariantLaysOutLibtorchAndTheCudaJniWhereDjlLooks(@TempDir Path tmp) throws Exception {
        Path zip = tmp.resolve("libtorch.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String name : List.of("libtorch/lib/libtorch.so", "libtorch/lib/libtorch_cuda.so",
                    "libtorch/lib/libc10.so", "libtorch/lib/libkineto.a", "libtorch/include/torch.h")) {
                z.putNextEntry(new ZipEntry(name));
                OutputStream o = z;
                o.write(name.getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        Path cache = tmp.resolve("djl");
        run(Map.of("PYTORCH_VERSION", "2.7.1", "PYTORCH_FLAVOR", "cu128", "LIBTORCH_URL", zip.toUri().toString()),
                "docker/fetch-natives.sh", "gpu", APP.toString(), cache.toString());
        List<String> files = files(cache);
        // The Dockerfile's PYTORCH_LIBRARY_PATH: /opt/djl/pytorch/${PYTORCH_VERSION}-${PYTORCH_FLAVOR}-linux-x86_64
        String dir = "pytorch/2.7.1-cu128-linux-x86_64/";
        assertTrue(files.containsAll(List.of(dir + "libtorch.so", dir + "libtorch_cuda.so", dir + "libc10.so")),
                files.toString());
        assertTrue(files.stream().noneMatch(f -> f.endsWith(".a") || f.endsWith(".h")), "shared objects only: " + files);
        // DJL looks for <djl version>-libdjl_torch.so beside libtorch (LibUtils.findJniLibrary).
        String jni = files.stream().filter(f -> f.matches(dir + "[0-9.]+-libdjl_torch\\.so")).findFirst()
                .orElseThrow(() -> new AssertionError("no CUDA JNI library in " + files));
        assertTrue(Files.size(cache.resolve(jni)) > 1_000_000, "the real JNI library from the pytorch-jni jar");
        assertTrue(files.stream().anyMatch(f -> f.matches("tokenizers/[^/]+/libtokenizers\\.so")), files.toString());
    }
}
