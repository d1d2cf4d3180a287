package dev.csmserver.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a Hugging Face model repo once, at startup, and returns the folder the loader reads
 * like a local model dir. It asks the hub for the revision's commit and file list, fetches {@code
 * config.json} to choose the files the loader needs ({@link HubFilePlan}: the published {@code
 * sesame/csm-1b} would otherwise cost three 6 GB checkpoints, one a pickle), HEADs each for its
 * size and hash, and fetches the missing ones ({@link HubTransfer}: resumed, verified, moved into
 * place atomically) while it reports {@code downloading NN%} of all bytes to {@link LoadProgress}.
 * Files land under the resolved commit ({@link HubCache}: {@code
 * models--{org}--{name}/snapshots/{commit}}), so a moving {@code main} never mixes two revisions;
 * when the hub cannot be reached, the last complete snapshot of the revision is used.
 */
public final class ModelSourceDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSourceDownloader.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelSource source;
    private final LoadProgress progress;
    private final HubClient client;
    private final HubCache cache;
    private final HubTransfer transfer;

    /** A downloader that reports no progress phases (it still logs). */
    public ModelSourceDownloader(ModelSource source) {
        this(source, LoadProgress.NONE);
    }

    /** A downloader that reports {@code downloading NN%} to {@code progress} while bytes flow. */
    public ModelSourceDownloader(ModelSource source, LoadProgress progress) {
        this(source, progress, HubTransfer.STALL_LIMIT);
    }

    /**
     * As above, giving up a body that sends nothing for {@code stallLimit} (tests: a fraction of a
     * second).
     */
    ModelSourceDownloader(ModelSource source, LoadProgress progress, Duration stallLimit) {
        if (source.kind() != ModelSource.Kind.HUB) {
            throw new IllegalArgumentException("not a hub source: " + source.kind());
        }
        this.source = source;
        this.progress = progress;
        this.client = new HubClient(source.hubEndpoint(), source.hubRepo(), source.hubToken());
        this.cache = new HubCache(source.cacheDir(), source.hubRepo());
        this.transfer = new HubTransfer(client, stallLimit);
    }

    /**
     * This repo's folder in the cache, {@code {cacheDir}/models--{org}--{name}}: snapshots and refs
     * live under it.
     */
    public Path repoDir() {
        return cache.repoDir();
    }

    /**
     * Brings the revision's files into {@code snapshots/{commit}} (nothing when it is complete
     * already) and returns that folder.
     *
     * @throws UncheckedIOException when the download fails; the message says what to fix (HF_TOKEN,
     *     the repo name, a hub that is down with nothing cached)
     */
    public Path download() {
        try {
            return fetchRevision();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "downloading " + source.label() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "downloading " + source.label() + " was interrupted", e);
        }
    }

    private Path fetchRevision() throws IOException, InterruptedException {
        HubClient.Revision rev;
        try {
            rev = client.revision(source.revision());
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            return cachedSnapshot(e);
        }
        String commit = rev.commit();
        if (cache.complete(commit)) {
            cache.writeRef(source.revision(), commit);
            LOG.info(
                    "{}: commit {} is in the cache already, {}",
                    source.label(),
                    commit,
                    cache.snapshot(commit));
            return cache.snapshot(commit);
        }
        String label = source.hubRepo() + "@" + commit;
        HubFilePlan plan = new HubFilePlan(label, rev.files());
        Map<String, HubFile> heads = new LinkedHashMap<>();
        List<HubFile> fetched = new ArrayList<>();
        JsonNode config = readJson(commit, plan.config(), heads, fetched);
        String weights = plan.weights(config);
        JsonNode index =
                weights.endsWith(".json") ? readJson(commit, weights, heads, fetched) : null;
        HubFilePlan.Chosen chosen = plan.choose(config, weights, index);
        long total = fetched.stream().mapToLong(HubFile::size).sum();
        long done = total;
        List<HubFile> missing = new ArrayList<>();
        int here = 0;
        for (String name : chosen.files()) {
            if (heads.containsKey(name)) {
                continue; // fetched just now, to choose the rest
            }
            HubFile f = client.head(commit, name);
            heads.put(name, f);
            Path target = cache.file(commit, name);
            if (Files.isRegularFile(target)) {
                here++;
            } else if (!linkSameContent(commit, f)) {
                missing.add(f);
                total += f.size();
                done += HubTransfer.partSize(target);
            }
        }
        int linked = heads.size() - fetched.size() - missing.size() - here;
        LOG.info(
                "{}: {} files, {} to fetch ({}{}{}{})",
                label,
                chosen.files().size(),
                size(total - done),
                chosen.layout(),
                chosen.skipped().isEmpty()
                        ? ""
                        : "; skipping " + String.join(", ", chosen.skipped()),
                here > 0 ? "; " + here + " already here" : "",
                linked > 0 ? "; " + linked + " unchanged since an older snapshot, linked" : "");
        DownloadProgress bytes = new DownloadProgress(progress, total, done);
        for (int i = 0; i < missing.size(); i++) {
            HubFile f = missing.get(i);
            String what =
                    source.hubRepo() + " " + f.name() + " (" + (i + 1) + "/" + missing.size() + ")";
            transfer.fetch(commit, f, cache.file(commit, f.name()), bytes, what);
        }
        bytes.finish();
        cache.markComplete(commit, List.copyOf(heads.values()));
        cache.writeRef(source.revision(), commit);
        return cache.snapshot(commit);
    }

    /**
     * Reads a small JSON file of the commit, fetching it first (into {@code fetched}) unless it is
     * there.
     */
    private JsonNode readJson(
            String commit, String name, Map<String, HubFile> heads, List<HubFile> fetched)
            throws IOException, InterruptedException {
        Path target = cache.file(commit, name);
        if (!Files.isRegularFile(target)) {
            HubFile f = client.head(commit, name);
            heads.put(name, f);
            if (!linkSameContent(commit, f)) {
                transfer.fetch(
                        commit, f, target, DownloadProgress.none(), source.hubRepo() + " " + name);
                fetched.add(f);
            }
        }
        return JSON.readTree(target.toFile());
    }

    /**
     * Hard-links (or, where links are not possible, copies) the file of an older complete snapshot
     * that has {@code f}'s hash and size, so a moved {@code main} does not fetch 7 GB of unchanged
     * shards again.
     */
    private boolean linkSameContent(String commit, HubFile f) throws IOException {
        Optional<Path> same = cache.sameContent(f);
        if (same.isEmpty()) {
            return false;
        }
        Path target = cache.file(commit, f.name());
        Files.createDirectories(target.getParent());
        Path part = HubTransfer.part(target);
        Files.deleteIfExists(part);
        try {
            Files.createLink(part, same.get());
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(same.get(), part, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(
                part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    private Path cachedSnapshot(IOException cause) throws IOException {
        String revision = source.revision();
        Optional<String> commit = cache.ref(revision);
        if (commit.isEmpty() && revision.matches("[0-9a-f]{40}")) {
            commit = Optional.of(revision);
        }
        if (commit.isPresent() && cache.complete(commit.get())) {
            LOG.warn(
                    "cannot reach {} ({}); using the cached snapshot {} of {}",
                    client.endpoint(),
                    cause,
                    commit.get(),
                    source.label());
            return cache.snapshot(commit.get());
        }
        throw new IOException(
                "cannot reach "
                        + client.endpoint()
                        + " ("
                        + cause
                        + ") and "
                        + cache.repoDir()
                        + " holds no complete snapshot of "
                        + source.label(),
                cause);
    }

    private static String size(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
