package dev.csmserver.pipeline;

import static dev.csmserver.pipeline.HubStandIn.REPO;
import static dev.csmserver.pipeline.HubStandIn.TOKEN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads the tiny fixture laid out like the published {@code sesame/csm-1b} from {@link
 * HubStandIn}: which files a download takes, where it puts them, what it fetches again, how it
 * survives a dropped connection, a corrupted body, a missing token and an unreachable hub, and what
 * progress it reports.
 */
class ModelSourceDownloaderTest {
    /** Files of the published repo the loader never reads (the fixture README stands for it). */
    private static final Set<String> NEVER =
            Set.of("ckpt.pt", "model.safetensors", "README.md", ".gitattributes");

    // Short enough to keep the stall test fast, long enough that a busy CI machine never trips it.
    private static final Duration STALL = Duration.ofMillis(300);

    @TempDir Path cache;
    private HubStandIn hub;

    @BeforeEach
    void start() throws IOException {
        hub = new HubStandIn();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private ModelSourceDownloader downloader(LoadProgress progress) {
        return new ModelSourceDownloader(
                ModelSource.hub(REPO, "main", cache, hub.endpoint() + "/", Optional.of(TOKEN)),
                progress);
    }

    private ModelSourceDownloader downloader() {
        return downloader(LoadProgress.NONE);
    }

    private ModelSourceDownloader impatientDownloader() {
        return new ModelSourceDownloader(
                ModelSource.hub(REPO, "main", cache, hub.endpoint(), Optional.of(TOKEN)),
                LoadProgress.NONE,
                STALL);
    }

    @Test
    void fetchesOnlyWhatTheTransformersLayoutNeedsNeverCkptPtNorModelSafetensors()
            throws IOException {
        Path dir = downloader().download();
        Set<String> expected = new TreeSet<>(hub.files().keySet());
        expected.removeAll(NEVER);
        assertEquals(
                expected, filesUnder(dir), "the snapshot holds exactly the files the loader reads");
        assertTrue(
                expected.containsAll(shardsOfTheTransformersIndex()),
                "every shard the index names");
        for (String name : expected) {
            assertArrayEquals(hub.files().get(name), Files.readAllBytes(dir.resolve(name)), name);
        }
        for (HubStandIn.Request r : hub.requests()) {
            assertFalse(
                    r.resolvedFile() != null && NEVER.contains(r.resolvedFile()), "asked for " + r);
            assertEquals("Bearer " + TOKEN, r.auth(), r.toString());
        }
    }

    @Test
    void keysTheSnapshotByTheResolvedCommitAndRecordsItInRefsMain() throws IOException {
        Path dir = downloader().download();
        Path repoDir = cache.resolve("models--sesame--csm-1b");
        assertEquals(repoDir, downloader().repoDir());
        assertEquals(repoDir.resolve("snapshots").resolve(hub.main()), dir);
        assertEquals(hub.main(), Files.readString(repoDir.resolve("refs/main")));
        assertTrue(
                hub.requests().stream()
                        .filter(r -> r.resolvedFile() != null)
                        .allMatch(
                                r ->
                                        r.path()
                                                .startsWith(
                                                        "/"
                                                                + REPO
                                                                + "/resolve/"
                                                                + hub.main()
                                                                + "/")),
                "every file is asked for at the resolved commit, never at main");
    }

    @Test
    void aMovedMainLandsInANewSnapshotAndLeavesTheOldOneUntouched() throws IOException {
        Path old = downloader().download();
        Map<String, byte[]> before = contentsOf(old);
        String prompt =
                hub.files().keySet().stream()
                        .filter(n -> n.startsWith("prompts/"))
                        .findFirst()
                        .orElseThrow();
        Map<String, byte[]> next = new TreeMap<>(hub.files());
        byte[] changed = Arrays.copyOf(next.get(prompt), next.get(prompt).length + 2);
        next.put(prompt, changed);
        String commit = hub.publish(next);
        hub.clearRequests();

        Path dir = downloader().download();
        assertNotEquals(old, dir);
        assertEquals(commit, dir.getFileName().toString());
        assertEquals(commit, Files.readString(downloader().repoDir().resolve("refs/main")));
        assertArrayEquals(changed, Files.readAllBytes(dir.resolve(prompt)));
        Map<String, byte[]> after = contentsOf(old);
        assertEquals(before.keySet(), after.keySet());
        before.forEach(
                (name, bytes) ->
                        assertArrayEquals(bytes, after.get(name), "old snapshot's " + name));
        assertEquals(Set.of(prompt), gotFiles(), "unchanged files are taken from the old snapshot");
    }

    @Test
    void aSecondDownloadOnlyAsksTheModelApiForTheCommit() {
        Path first = downloader().download();
        hub.clearRequests();
        assertEquals(first, downloader().download());
        assertEquals(
                List.of("GET /api/models/" + REPO + "/revision/main 200"),
                described(hub.requests()));
    }

    @Test
    void anInterruptedTransferResumesWithARangeRequestAndVerifies() throws IOException {
        String shard = shardsOfTheTransformersIndex().get(0);
        hub.cutNextGets(shard, 1);
        Path dir = downloader().download();
        assertArrayEquals(hub.files().get(shard), Files.readAllBytes(dir.resolve(shard)));
        assertTrue(
                hub.requests().stream()
                        .anyMatch(
                                r ->
                                        r.path().startsWith("/cdn-lfs/")
                                                && r.range() != null
                                                && r.range().matches("bytes=[1-9]\\d*-")
                                                && r.status() == 206),
                described(hub.requests()).toString());
        assertTrue(filesUnder(dir).stream().noneMatch(n -> n.endsWith(".part")));
    }

    @Test
    void aTransferThatStallsMidBodyIsAbortedAfterTheStallLimitAndResumedWithARangeRequest()
            throws IOException {
        String shard = shardsOfTheTransformersIndex().get(0);
        byte[] bytes = hub.files().get(shard);
        hub.stallNextGet(
                shard, Duration.ofSeconds(30)); // far past the limit: only the watchdog ends it
        long start = System.nanoTime();
        Path dir = impatientDownloader().download();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve(shard)), "complete and verified");
        assertTrue(
                hub.requests().stream()
                        .anyMatch(
                                r ->
                                        ("bytes=" + bytes.length / 2 + "-").equals(r.range())
                                                && r.status() == 206),
                "resumed where the stall began: " + described(hub.requests()));
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "not held for the stall: " + took);
        assertTrue(watchdogThreads() <= 1, "one shared watchdog thread at most");
    }

    @Test
    void aSlowBodyThatKeepsSendingIsNotTakenForAStall() throws IOException {
        String shard = shardsOfTheTransformersIndex().get(0);
        long lfs =
                hub.files().entrySet().stream()
                        .filter(e -> HubStandIn.isLfs(e.getKey()) && !NEVER.contains(e.getKey()))
                        .mapToLong(e -> e.getValue().length)
                        .sum();
        hub.throttle(lfs); // about a second in all: the first shard alone takes more than twice the
        // limit
        Path dir = impatientDownloader().download();
        assertArrayEquals(hub.files().get(shard), Files.readAllBytes(dir.resolve(shard)));
        assertTrue(
                hub.requests().stream().noneMatch(r -> r.range() != null),
                described(hub.requests()).toString());
    }

    @Test
    void aPartFileLeftByAnEarlierRunIsResumedFromItsEnd() throws IOException {
        String shard = shardsOfTheTransformersIndex().get(0);
        byte[] bytes = hub.files().get(shard);
        Path part =
                cache.resolve(
                        "models--sesame--csm-1b/snapshots/" + hub.main() + "/" + shard + ".part");
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(bytes, bytes.length / 3));

        Path dir = downloader().download();
        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve(shard)));
        assertTrue(
                hub.requests().stream()
                        .anyMatch(
                                r ->
                                        ("bytes=" + bytes.length / 3 + "-").equals(r.range())
                                                && r.status() == 206),
                described(hub.requests()).toString());
        assertFalse(Files.exists(part));
    }

    @Test
    void aCorruptedBodyFailsTheChecksumAndLeavesNoFileInPlace() {
        String shard = shardsOfTheTransformersIndex().get(0);
        hub.corrupt(shard);
        UncheckedIOException e =
                assertThrows(UncheckedIOException.class, () -> downloader().download());
        assertTrue(
                e.getMessage().contains("checksum mismatch") && e.getMessage().contains(shard),
                e.getMessage());
        Path snapshot = downloader().repoDir().resolve("snapshots").resolve(hub.main());
        assertFalse(Files.exists(snapshot.resolve(shard)));
        assertFalse(Files.exists(snapshot.resolve(shard + ".part")));
        assertFalse(
                Files.exists(downloader().repoDir().resolve("refs/main")),
                "an incomplete snapshot has no ref");
    }

    @Test
    void aFailedRunKeepsItsVerifiedFilesAndTheNextOneFetchesOnlyTheRest() {
        List<String> shards = shardsOfTheTransformersIndex();
        String shard = shards.get(shards.size() - 1); // the last file a download takes
        hub.corrupt(shard);
        assertThrows(UncheckedIOException.class, () -> downloader().download());
        hub.repair(shard);
        hub.clearRequests();
        downloader().download();
        assertEquals(
                Set.of(shard),
                gotFiles(),
                "files verified by the failed run are not fetched again");
    }

    @Test
    void withoutATokenTheErrorSaysToSetHfToken() {
        ModelSourceDownloader anonymous =
                new ModelSourceDownloader(
                        ModelSource.hub(REPO, "main", cache, hub.endpoint(), Optional.empty()));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, anonymous::download);
        assertTrue(
                e.getMessage().contains("HF_TOKEN") && e.getMessage().contains("licence"),
                e.getMessage());
    }

    @Test
    void anUnknownRevisionIsReportedAsMissing() {
        ModelSourceDownloader wrong =
                new ModelSourceDownloader(
                        ModelSource.hub(
                                REPO, "no-such-branch", cache, hub.endpoint(), Optional.of(TOKEN)));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, wrong::download);
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void anUnreachableHubFallsBackToTheCompleteCachedSnapshot(@TempDir Path empty) {
        Path dir = downloader().download();
        hub.close();
        assertEquals(dir, downloader().download());
        ModelSourceDownloader uncached =
                new ModelSourceDownloader(
                        ModelSource.hub(REPO, "main", empty, hub.endpoint(), Optional.of(TOKEN)));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, uncached::download);
        assertTrue(e.getMessage().contains("cannot reach"), e.getMessage());
    }

    @Test
    void aFileTheLayoutNeedsButTheListLacksIsAClearError() {
        String shard =
                shardsOfTheTransformersIndex().get(shardsOfTheTransformersIndex().size() - 1);
        Map<String, byte[]> files = new TreeMap<>(hub.files());
        files.remove(shard);
        hub.publish(files);
        UncheckedIOException e =
                assertThrows(UncheckedIOException.class, () -> downloader().download());
        assertTrue(
                e.getMessage().contains("has no " + shard)
                        && e.getMessage().contains("the repo has: ["),
                e.getMessage());
    }

    @Test
    void progressPhasesRiseMonotonicallyToOneHundredPercent() {
        List<String> phases = new ArrayList<>();
        downloader(phases::add).download();
        assertTrue(
                phases.stream().allMatch(p -> p.matches("downloading \\d{1,3}%")),
                phases.toString());
        List<Integer> percents =
                phases.stream()
                        .map(p -> Integer.parseInt(p.replaceAll("\\D", "")))
                        .collect(Collectors.toList());
        assertTrue(percents.get(0) <= 5, "starts near 0: " + percents);
        assertEquals(100, percents.get(percents.size() - 1));
        for (int i = 1; i < percents.size(); i++) {
            assertTrue(percents.get(i) > percents.get(i - 1), "rises monotonically: " + percents);
        }
        assertTrue(percents.size() >= 10, "reported while bytes flow: " + percents);
    }

    private List<String> shardsOfTheTransformersIndex() {
        try {
            ObjectMapper json = new ObjectMapper();
            String index =
                    json.readTree(hub.files().get("config.json"))
                            .get("transformers_weights")
                            .asText();
            JsonNode map = json.readTree(hub.files().get(index)).get("weight_map");
            Set<String> shards = new TreeSet<>();
            map.elements().forEachRemaining(n -> shards.add(n.asText()));
            return List.copyOf(shards);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repo files fetched with a GET (not HEAD, not refused). */
    private Set<String> gotFiles() {
        return hub.requests().stream()
                .filter(r -> r.method().equals("GET") && r.status() < 400)
                .map(HubStandIn.Request::resolvedFile)
                .filter(Objects::nonNull)
                .collect(Collectors.toSet());
    }

    private static long watchdogThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("hub-stall-watchdog"))
                .count();
    }

    private static List<String> described(List<HubStandIn.Request> requests) {
        return requests.stream()
                .map(
                        r ->
                                r.method()
                                        + " "
                                        + r.path()
                                        + (r.range() == null ? "" : " " + r.range())
                                        + " "
                                        + r.status())
                .toList();
    }

    private static Set<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Map<String, byte[]> contentsOf(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        for (String name : filesUnder(dir)) {
            out.put(name, Files.readAllBytes(dir.resolve(name)));
        }
        return out;
    }
}
