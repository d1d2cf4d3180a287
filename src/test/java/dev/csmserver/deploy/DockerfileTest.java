package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/Dockerfile, checked without a Docker engine: a real linter (dockerfile-utils, the
 * Dockerfile language server's validator), the README's packaging command in the build stage,
 * natives fetched at build time with DJL offline at run time, the health check on the service's
 * readiness path and port, a non-root user, and no weights in the image.
 */
class DockerfileTest {
    static final Path DOCKERFILE = Path.of("docker/Dockerfile");
    private static final Pattern README_PACKAGE =
            Pattern.compile(
                    "## Container.*?```bash\\s*\\n(\\./mvnw [^\\n]*package[^\\n]*)\\n",
                    Pattern.DOTALL);

    static String readmePackagingCommand() throws IOException {
        Matcher m = README_PACKAGE.matcher(Files.readString(Path.of("README.md")));
        assertTrue(
                m.find(),
                "README.md needs a '## Container' section whose first bash block is the "
                        + "./mvnw ... package command");
        return m.group(1).strip();
    }

    @Test
    void buildStageRunsTheReadmePackagingCommand() throws IOException {
        String command = readmePackagingCommand();
        assertEquals("./mvnw -B -ntp package -DskipTests", command);
        Dockerfile file = Dockerfile.read(DOCKERFILE);
        List<String> runs =
                file.in("build", "RUN").stream()
                        .map(i -> i.args().replaceAll("--mount=\\S+ ", ""))
                        .toList();
        assertTrue(runs.contains(command), "build stage RUNs " + runs + ", not exactly " + command);
        String copies =
                String.join(
                        "\n",
                        file.in(file.finalStage(), "COPY").stream().map(i -> i.args()).toList());
        for (String layer :
                List.of(
                        "quarkus-app/lib/",
                        "quarkus-app/*.jar",
                        "quarkus-app/app/",
                        "quarkus-app/quarkus/")) {
            assertTrue(
                    copies.contains("--from=build") && copies.contains("/src/target/" + layer),
                    "runtime copies the fast-jar layer " + layer);
        }
    }

    @Test
    void nativesAreFetchedAtBuildTimeAndDjlIsOfflineAtRunTime() throws IOException {
        Dockerfile file = Dockerfile.read(DOCKERFILE);
        assertTrue(
                file.in("build", "RUN").stream()
                        .anyMatch(i -> i.args().contains("docker/fetch-natives.sh")),
                "build stage fills the DJL cache");
        String runtime = file.finalStage();
        String env = String.join(" ", file.in(runtime, "ENV").stream().map(i -> i.args()).toList());
        assertTrue(env.contains("DJL_OFFLINE=true"), "runtime ENV: " + env);
        assertTrue(env.contains("DJL_CACHE_DIR=/opt/djl"), "runtime ENV: " + env);
        assertTrue(
                env.contains("MALLOC_TRIM_THRESHOLD_=") && env.contains("MALLOC_MMAP_THRESHOLD_="),
                "the allocator keeps freed native memory: " + env);
        assertTrue(env.contains("GOMP_SPINCOUNT="), "OpenMP helpers spin briefly: " + env);
        assertTrue(
                file.in(runtime, "COPY").stream()
                        .anyMatch(i -> i.args().contains("/opt/djl /opt/djl")));
        String gpuEnv =
                String.join(
                        " ", file.in("runtime-gpu", "ENV").stream().map(i -> i.args()).toList());
        assertTrue(
                gpuEnv.contains("PYTORCH_LIBRARY_PATH=/opt/djl/pytorch/"),
                "gpu libtorch from the cache");
        String entry =
                String.join(
                        " ", file.in(runtime, "ENTRYPOINT").stream().map(i -> i.args()).toList());
        assertTrue(entry.contains("quarkus-run.jar") && !entry.contains("fetch-natives"), entry);
    }

    @Test
    void healthCheckUsesTheReadinessPathOnTheServicePort() throws IOException {
        Dockerfile file = Dockerfile.read(DOCKERFILE);
        List<Dockerfile.Instruction> checks = file.in(file.finalStage(), "HEALTHCHECK");
        assertEquals(1, checks.size());
        int port = ServiceContract.httpPort();
        assertTrue(
                checks.get(0).args().contains("http://127.0.0.1:" + port + ServiceContract.ready()),
                checks.get(0).args());
        assertEquals(
                List.of(Integer.toString(port)),
                file.in(file.finalStage(), "EXPOSE").stream().map(i -> i.args()).toList());
    }

    @Test
    void runsAsNonRootUser() throws IOException {
        Dockerfile file = Dockerfile.read(DOCKERFILE);
        List<Dockerfile.Instruction> users = file.in(file.finalStage(), "USER");
        assertFalse(users.isEmpty(), "runtime stage sets USER");
        String user = users.get(users.size() - 1).args().split(":")[0];
        assertFalse(user.equals("root") || user.equals("0"), "runs as " + user);
        assertTrue(
                file.in(file.finalStage(), "RUN").stream()
                        .anyMatch(
                                i ->
                                        i.args().contains("useradd")
                                                && i.args().contains("--uid " + user)),
                "user " + user + " is created in the runtime stage");
    }

    @Test
    void weightsAreNeverBakedIn() throws IOException {
        Dockerfile file = Dockerfile.read(DOCKERFILE);
        file.instructions().stream()
                .filter(i -> i.keyword().equals("COPY") || i.keyword().equals("ADD"))
                .forEach(
                        i ->
                                assertFalse(
                                        i.args()
                                                .matches(
                                                        ".*(safetensors|/models|\\.bin|\\.pt)\\b.*"),
                                        i.args()));
        List<String> ignored = Files.readAllLines(Path.of("docker/Dockerfile.dockerignore"));
        assertTrue(
                ignored.containsAll(List.of("*.safetensors", "models", "target")),
                "context filter: " + ignored);
        assertTrue(
                file.in(file.finalStage(), "VOLUME").stream()
                        .anyMatch(i -> i.args().contains("/models")));
    }

    @Test
    void dockerfileLintsClean() throws Exception {
        Path linter = DockerfileLinter.ensureInstalled();
        Process p =
                new ProcessBuilder(linter.toString(), "lint", DOCKERFILE.toString())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "linter hung");
        assertEquals("", output.strip(), "dockerfile-utils lint reported problems");
        assertEquals(0, p.exitValue(), output);
    }

    @Test
    void linterCatchesABrokenDockerfile() throws Exception {
        // Proves the lint test can fail: the same linter on a deliberately broken file.
        Path broken = Files.createTempFile("broken", ".Dockerfile");
        try {
            Files.writeString(
                    broken, "FROM ubuntu:22.04\nHEALTHCHECK --bogus=1 CMD true\nEXPOSE 80abc\n");
            Process p =
                    new ProcessBuilder(
                                    DockerfileLinter.ensureInstalled().toString(),
                                    "lint",
                                    broken.toString())
                            .redirectErrorStream(true)
                            .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(120, TimeUnit.SECONDS);
            assertTrue(output.contains("bogus") && output.contains("80abc"), output);
        } finally {
            Files.deleteIfExists(broken);
        }
    }
}
