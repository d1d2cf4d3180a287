package dev.csmserver.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts {@link HubStandIn} for a test of the whole service, so the real startup path downloads the
 * tiny fixture from it as from the Hugging Face hub: {@code start()} returns the {@code
 * csm.model.*} overrides that point the service at the stand-in (repo, endpoint, token, {@code
 * main}) and at a fresh cache folder. The stand-in listens on 127.0.0.1 in the test JVM, which both
 * a {@code @QuarkusTest} and the separate process of a {@code @QuarkusIntegrationTest} can reach.
 *
 * <p>LFS bodies are throttled by default so the download takes about {@link #DOWNLOAD_TIME} and the
 * readiness phases {@code downloading NN%} can be watched; {@code @ResourceArg(name = "throttle",
 * value = "false")} turns that off. Quarkus creates this class itself, so what a test needs
 * afterwards is in static accessors ({@link #requestedFiles()}, {@link #snapshotDir()}, ...) that
 * read the running instance; they hold one stand-in at a time, which is how Quarkus runs test
 * resources (one per app start, tests of a class in sequence).
 */
public class HubStandInResource implements QuarkusTestResourceLifecycleManager {
    /** The init arg that turns the throttle off ({@code "false"}); it is on unless told. */
    public static final String THROTTLE_ARG = "throttle";

    /**
     * How long the LFS bytes of a download should take in all: long enough for a readiness poll to
     * see several {@code downloading NN%} phases, short enough for a test. The rate is derived from
     * the size of the files the transformers layout needs, so it holds for any fixture set; the
     * small files and the HEADs add a few hundred milliseconds.
     */
    public static final Duration DOWNLOAD_TIME = Duration.ofMillis(3300);

    private static final Logger LOG = LoggerFactory.getLogger(HubStandInResource.class);
    private static volatile Running running;

    /** What a started resource holds, for the static accessors. */
    private record Running(HubStandIn hub, Path cacheDir, long throttle) {}

    private boolean throttled = true;

    @Override
    public void init(Map<String, String> initArgs) {
        throttled = !"false".equalsIgnoreCase(initArgs.getOrDefault(THROTTLE_ARG, "true").trim());
    }

    @Override
    public Map<String, String> start() {
        HubStandIn hub = null;
        try {
            hub = new HubStandIn();
            long rate = throttled ? bytesPerSecond(hub, DOWNLOAD_TIME) : 0;
            hub.throttle(rate);
            Path cacheDir = Files.createTempDirectory("csm-hub-cache-");
            running = new Running(hub, cacheDir, rate);
            return Map.of(
                    "csm.model.hf-id",
                    HubStandIn.REPO,
                    "csm.model.hf-endpoint",
                    hub.endpoint(),
                    "csm.model.hf-token",
                    HubStandIn.TOKEN,
                    "csm.model.cache-dir",
                    cacheDir.toString(),
                    "csm.model.revision",
                    "main");
        } catch (IOException e) {
            if (hub != null) {
                hub.close();
            }
            throw new UncheckedIOException("starting the hub stand-in failed", e);
        }
    }

    @Override
    public void stop() {
        Running r = running;
        running = null;
        if (r == null) {
            return;
        }
        r.hub().close();
        deleteTree(r.cacheDir());
    }

    /**
     * The repo files asked for through {@code /resolve/} (HEAD or GET) since the stand-in started.
     */
    public static Set<String> requestedFiles() {
        return current().hub().requests().stream()
                .map(HubStandIn.Request::resolvedFile)
                .filter(Objects::nonNull)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Where the service's download of {@code main} lands: {@code
     * {cacheDir}/models--sesame--csm-1b/snapshots/{commit}}.
     */
    public static Path snapshotDir() {
        Running r = current();
        return r.cacheDir()
                .resolve("models--" + HubStandIn.REPO.replace("/", "--"))
                .resolve("snapshots")
                .resolve(r.hub().main());
    }

    /** The fresh cache folder given to the service. */
    public static Path cacheDir() {
        return current().cacheDir();
    }

    /** The stand-in's base URL, {@code http://127.0.0.1:PORT}. */
    public static String endpoint() {
        return current().hub().endpoint();
    }

    /** The commit {@code main} resolves to. */
    public static String commit() {
        return current().hub().main();
    }

    /** The LFS body rate in bytes per second, 0 when not throttled. */
    public static long throttleBytesPerSecond() {
        return current().throttle();
    }

    /**
     * The running stand-in itself, for tests in this package (requests with status, cuts, stalls).
     */
    static HubStandIn hub() {
        return current().hub();
    }

    private static Running current() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException(
                    "HubStandInResource is not started (or was started by another"
                            + " class loader than the test's)");
        }
        return r;
    }

    /**
     * The rate at which the LFS files a transformers-layout download takes arrive in {@code time}:
     * the files are chosen as the downloader chooses them, so a larger fixture set is throttled to
     * the same time.
     */
    static long bytesPerSecond(HubStandIn hub, Duration time) throws IOException {
        Map<String, byte[]> files = hub.files();
        ObjectMapper json = new ObjectMapper();
        HubFilePlan plan = new HubFilePlan(HubStandIn.REPO, List.copyOf(files.keySet()));
        JsonNode config = json.readTree(files.get(plan.config()));
        String weights = plan.weights(config);
        JsonNode index = weights.endsWith(".json") ? json.readTree(files.get(weights)) : null;
        long lfs =
                plan.choose(config, weights, index).files().stream()
                        .filter(HubStandIn::isLfs)
                        .mapToLong(f -> files.get(f).length)
                        .sum();
        return Math.max(1, lfs * 1000 / Math.max(1, time.toMillis()));
    }

    /** Best effort: a leftover temp folder must not fail the test run that used it. */
    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete the stand-in's cache {}: {}", dir, e.toString());
        }
    }
}
