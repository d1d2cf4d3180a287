package dev.csmserver.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates a golden fixture set: {@code -Dgolden.dir=DIR} (DIR holds {@code csm/} and {@code
 * mimi/}), else {@code ../shared/golden/tiny}. Missing fixtures FAIL the test (never skip): a port
 * that silently stops being checked is worse than a red build.
 */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    public static Path root() {
        String prop = System.getProperty("golden.dir");
        Path dir =
                prop == null || prop.isBlank() ? Path.of("../shared/golden/tiny") : Path.of(prop);
        if (!Files.isDirectory(dir)) {
            throw new AssertionError(
                    "golden fixtures not found at "
                            + dir.toAbsolutePath()
                            + " (set -Dgolden.dir=DIR to a set laid out like ../shared/golden/tiny)");
        }
        return dir;
    }

    /** {@code csm/} of the selected set. */
    public static Path csm() {
        return require(root().resolve("csm"));
    }

    /** {@code mimi/} of the selected set. */
    public static Path mimi() {
        return require(root().resolve("mimi"));
    }

    public static Path require(Path p) {
        if (!Files.exists(p)) {
            throw new AssertionError("golden fixture missing: " + p.toAbsolutePath());
        }
        return p;
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(require(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
