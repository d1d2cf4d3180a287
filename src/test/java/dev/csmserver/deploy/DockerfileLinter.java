package dev.csmserver.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Finds the pinned Dockerfile linter ({@code dockerfile-utils} from npm): $DOCKERFILE_UTILS (set by
 * .ci/run), else ~/.cache/csm-server/npm, installing it there with npm when missing. No linter is a
 * failure with the reason, never a skip.
 */
final class DockerfileLinter {
    static final String PACKAGE = "dockerfile-utils@0.16.3";

    private DockerfileLinter() {}

    static synchronized Path ensureInstalled() throws IOException, InterruptedException {
        String configured = System.getenv("DOCKERFILE_UTILS");
        if (configured != null && Files.isExecutable(Path.of(configured))) {
            return Path.of(configured);
        }
        Path prefix = Path.of(System.getProperty("user.home"), ".cache", "csm-server", "npm");
        Path bin = prefix.resolve("node_modules/.bin/dockerfile-utils");
        if (Files.isExecutable(bin)) {
            return bin;
        }
        Files.createDirectories(prefix);
        Process npm =
                new ProcessBuilder(
                                "npm",
                                "install",
                                "--no-audit",
                                "--no-fund",
                                "--prefix",
                                prefix.toString(),
                                PACKAGE)
                        .redirectErrorStream(true)
                        .start();
        String log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(300, TimeUnit.SECONDS)
                || npm.exitValue() != 0
                || !Files.isExecutable(bin)) {
            throw new IllegalStateException(
                    "could not install "
                            + PACKAGE
                            + " with npm (needs npm and the "
                            + "npm registry; .ci/run installs it):\n"
                            + log);
        }
        return bin;
    }
}
