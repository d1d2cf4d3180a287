package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's native-library steps (docker/fetch-natives.sh, docker/check-natives.sh) run for real
 * on the packaged app in target/quarkus-app, as the Dockerfile runs them: the cpu variant makes DJL
 * load PyTorch and the tokenizers offline and leaves them in the cache; the gpu variant lays out
 * only the libraries DJL loads from a libtorch zip (a stand-in from a file: URL, since nothing here
 * may download) with the cu128 JNI library where DJL's PYTORCH_LIBRARY_PATH override looks, from an
 * app packaged without the CPU natives jar; DJL then loads libtorch through that override with no
 * natives jar on the class path (the CPU libtorch standing in for the CUDA one).
 */
class DockerNativesIT {
    private static final Path APP = Path.of("target/quarkus-app");

    /**
     * The DJL cache the cpu variant fills once for the class (DJL extracts ~450 MB of libtorch).
     */
    @TempDir static Path cpuCache;

    private static String cpuOutput;

    private record Result(int exitCode, String output) {}

    private static Result exec(Map<String, String> env, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), command + " hung");
        return new Result(p.exitValue(), out);
    }

    private static String run(Map<String, String> env, String... command) throws Exception {
        Result r = exec(env, List.of(command));
        assertEquals(0, r.exitCode(), r.output());
        return r.output();
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    private static List<Path> appJars() throws IOException {
        try (Stream<Path> s = Files.list(APP.resolve("lib/main"))) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static boolean isCpuNativesJar(Path jar) {
        return jar.getFileName().toString().contains("pytorch-native-cpu");
    }

    @BeforeAll
    static void fillTheCpuCache() throws Exception {
        assertTrue(
                Files.isRegularFile(APP.resolve("quarkus-run.jar")), "run after package: " + APP);
        // The environment the Dockerfile's RUN gives it (PYTORCH_* are build args of both
        // variants).
        cpuOutput =
                run(
                        Map.of(
                                "PYTORCH_VERSION",
                                "2.7.1",
                                "PYTORCH_FLAVOR",
                                "cu128",
                                "LIBTORCH_URL",
                                ""),
                        "docker/fetch-natives.sh",
                        "cpu",
                        APP.toString(),
                        cpuCache.toString());
    }

    private static Path cpuLibtorchDir() throws IOException {
        try (Stream<Path> s = Files.list(cpuCache.resolve("pytorch"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-cpu-linux-x86_64"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void cpuVariantLoadsDjlOfflineFromTheJarsAndFillsTheCache() throws Exception {
        assertTrue(cpuOutput.contains("PyTorch") && cpuOutput.contains("loaded"), cpuOutput);
        List<String> files = files(cpuCache);
        assertTrue(
                files.stream()
                        .anyMatch(f -> f.matches("pytorch/[^/]+-cpu-linux-x86_64/libtorch\\.so")),
                files.toString());
        assertTrue(
                files.stream()
                        .anyMatch(
                                f ->
                                        f.matches(
                                                "pytorch/[^/]+-cpu-linux-x86_64/[0-9.]+-libdjl_torch\\.so")),
                files.toString());
        assertTrue(
                files.stream().anyMatch(f -> f.matches("tokenizers/[^/]+/libtokenizers\\.so")),
                files.toString());
    }

    @Test
    void gpuVariantLaysOutOnlyTheLibrariesDjlLoadsAndTheCudaJni(@TempDir Path tmp)
            throws Exception {
        List<String> kept =
                List.of(
                        "libtorch.so",
                        "libtorch_cpu.so",
                        "libtorch_cuda.so",
                        "libtorch_cuda_linalg.so",
                        "libc10.so",
                        "libc10_cuda.so",
                        "libcaffe2_nvrtc.so",
                        "libcudart-a1b2c3d4.so.12",
                        "libcublas-a1b2c3d4.so.12",
                        "libcublasLt-a1b2c3d4.so.12",
                        "libcudnn.so.9",
                        "libcudnn_engines_precompiled.so.9",
                        "libnvrtc-a1b2c3d4.so.12",
                        "libnvToolsExt-a1b2c3d4.so.1",
                        "libgomp-a1b2c3d4.so.1");
        // What the zip also holds and DJL must never System.load(): test and plugin libraries,
        // helpers
        // of the Python package, static archives, headers.
        List<String> dropped =
                List.of(
                        "libtorchbind_test.so",
                        "libjitbackend_test.so",
                        "libbackend_with_compiler.so",
                        "libaoti_custom_ops.so",
                        "libshm.so",
                        "libtorch_global_deps.so",
                        "libkineto.a",
                        "libc10.a");
        Path zip = tmp.resolve("libtorch.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            List<String> names = new ArrayList<>();
            Stream.concat(kept.stream(), dropped.stream())
                    .forEach(n -> names.add("libtorch/lib/" + n));
            names.add("libtorch/include/torch.h");
            for (String name : names) {
                z.putNextEntry(new ZipEntry(name));
                OutputStream o = z;
                o.write(name.getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        // The gpu build packages the app without the CPU natives jar (pom.xml profile
        // libtorch-cpu-jar).
        Path app = tmp.resolve("quarkus-app");
        Files.createDirectories(app.resolve("lib/main"));
        for (Path jar : appJars()) {
            if (!isCpuNativesJar(jar)) {
                Files.createSymbolicLink(
                        app.resolve("lib/main").resolve(jar.getFileName()), jar.toAbsolutePath());
            }
        }
        Path cache = tmp.resolve("djl");
        run(
                Map.of(
                        "PYTORCH_VERSION",
                        "2.7.1",
                        "PYTORCH_FLAVOR",
                        "cu128",
                        "LIBTORCH_URL",
                        zip.toUri().toString()),
                "docker/fetch-natives.sh",
                "gpu",
                app.toString(),
                cache.toString());
        // The Dockerfile's PYTORCH_LIBRARY_PATH:
        // /opt/djl/pytorch/${PYTORCH_VERSION}-${PYTORCH_FLAVOR}-linux-x86_64
        String dir = "pytorch/2.7.1-cu128-linux-x86_64/";
        List<String> libtorch =
                files(cache).stream()
                        .filter(f -> f.startsWith(dir))
                        .map(f -> f.substring(dir.length()))
                        .filter(f -> !f.endsWith("-libdjl_torch.so"))
                        .sorted()
                        .toList();
        assertEquals(
                kept.stream().sorted().toList(),
                libtorch,
                "only the libraries DJL's own cu128 natives carry");
        // DJL looks for <djl version>-libdjl_torch.so beside libtorch (LibUtils.findJniLibrary).
        List<String> files = files(cache);
        String jni =
                files.stream()
                        .filter(f -> f.matches(dir + "[0-9.]+-libdjl_torch\\.so"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no CUDA JNI library in " + files));
        assertTrue(
                Files.size(cache.resolve(jni)) > 1_000_000,
                "the real JNI library from the pytorch-jni jar");
        assertTrue(
                files.stream().anyMatch(f -> f.matches("tokenizers/[^/]+/libtokenizers\\.so")),
                files.toString());
    }

    @Test
    void djlLoadsLibtorchFromTheLibraryPathWithNoNativesJarOnTheClassPath(@TempDir Path emptyCache)
            throws Exception {
        // The gpu image's arrangement, with the CPU libtorch standing in for the CUDA one: no
        // pytorch-native-cpu jar, PYTORCH_LIBRARY_PATH/VERSION/FLAVOR as the runtime stage sets
        // them.
        String classPath =
                appJars().stream()
                        .filter(j -> !isCpuNativesJar(j))
                        .map(Path::toString)
                        .collect(Collectors.joining(":"));
        Map<String, String> env =
                Map.of(
                        "PYTORCH_LIBRARY_PATH",
                        cpuLibtorchDir().toString(),
                        "PYTORCH_VERSION",
                        "2.7.1",
                        "PYTORCH_FLAVOR",
                        "cpu",
                        "DJL_CACHE_DIR",
                        emptyCache.toString(),
                        "DJL_OFFLINE",
                        "true");
        String out =
                run(
                        env,
                        "java",
                        "-Dai.djl.offline=true",
                        "-cp",
                        classPath,
                        "docker/DjlNatives.java",
                        "pytorch");
        assertTrue(out.contains("PyTorch 2.7.1 loaded, sum=4.0"), out);
        assertFalse(
                Files.exists(emptyCache.resolve("pytorch")),
                "nothing extracted or downloaded: " + files(emptyCache));
    }

    @Test
    void checkNativesPassesOnTheCacheAndNamesWhatALibraryLacks(@TempDir Path tmp) throws Exception {
        String ok = run(Map.of(), "docker/check-natives.sh", cpuCache.toString());
        assertTrue(ok.contains("native libraries resolve"), ok);
        // The JNI library without the libtorch beside it: exactly what a missing library looks
        // like.
        Path lonely = Files.createDirectories(tmp.resolve("lonely"));
        try (Stream<Path> s = Files.list(cpuLibtorchDir())) {
            Path jni =
                    s.filter(p -> p.getFileName().toString().endsWith("-libdjl_torch.so"))
                            .findFirst()
                            .orElseThrow();
            Files.copy(jni, lonely.resolve(jni.getFileName()));
        }
        Result missing = exec(Map.of(), List.of("docker/check-natives.sh", lonely.toString()));
        assertNotEquals(0, missing.exitCode(), missing.output());
        assertTrue(
                missing.output().contains("needs libtorch.so")
                        && missing.output().contains("needs libc10.so"),
                missing.output());
    }

    @Test
    void packagedAppShipsTheJnaDjlDeclaresAndNoOther() throws Exception {
        List<Path> jna = new ArrayList<>();
        for (Path jar : appJars()) {
            if (DjlJna.isJna(jar)) {
                jna.add(jar);
            }
        }
        assertEquals(1, jna.size(), "one JNA in lib/main: " + jna);
        assertEquals(DjlJna.declaredVersion(), DjlJna.versionOf(jna.get(0)), jna.get(0).toString());
    }
}
