package dev.csmserver.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a Hugging Face repo's model files once into a cache directory, at startup only: {@code
 * {endpoint}/{repo}/resolve/{revision}/{file}}, with {@code HF_TOKEN} as a bearer token. A file
 * is written to {@code .part} and resumed with an HTTP Range request after an interruption; it is
 * checked against the hub's ETag (sha256 for LFS files, git blob sha1 for small files) before it
 * is moved into place. Files already in the cache are never fetched again.
 */
public final class ModelSourceDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSourceDownloader.class);
    private static final Pattern SHARD = Pattern.compile("\"([^\"]+\\.safetensors)\"");
    private static final String INDEX = "model.safetensors.index.json";

    private final ModelSource source;
    private final HttpClient noRedirects;
    private final HttpClient following;

    public ModelSourceDownloader(ModelSource source) {
        if (source.kind() != ModelSource.Kind.HUB) {
            throw new IllegalArgumentException("not a hub source: " + source.kind());
        }
        this.source = source;
        this.noRedirects = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
        this.following = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** The local directory the repo lands in. */
    public Path targetDir() {
        String safeRepo = source.hubRepo().replace("/", "--");
        return source.cacheDir().resolve(safeRepo).resolve(source.revision());
    }

    /**
     * Downloads config, tokenizer and weights (single file or every shard named in the index);
     * returns the local directory.
     */
    public Path download() {
        Path dir = targetDir();
        try {
            Files.createDirectories(dir);
            fetch("config.json", true);
            fetch("tokenizer.json", true);
            List<String> weights = new ArrayList<>();
            if (fetch(INDEX, false)) {
                weights.addAll(shardsOf(dir.resolve(INDEX)));
            } else {
                weights.add("model.safetensors");
            }
            for (String w : weights) {
                fetch(w, true);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("downloading " + source.label() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("download interrupted", e);
        }
    }

    private static List<String> shardsOf(Path index) throws IOException {
        String json = Files.readString(index, StandardCharsets.UTF_8);
        int map = json.indexOf("\"weight_map\"");
        TreeSet<String> shards = new TreeSet<>();
        Matcher m = SHARD.matcher(json.substring(Math.max(map, 0)));
        while (m.find()) {
            shards.add(m.group(1));
        }
        return new ArrayList<>(shards);
    }

    private URI uri(String file) {
        String base = source.hubEndpoint().replaceAll("/+$", "");
        return URI.create(base + "/" + source.hubRepo() + "/resolve/" + source.revision() + "/" + file);
    }

    private HttpRequest.Builder request(String file) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(file)).timeout(Duration.ofMinutes(30));
        source.hubToken().filter(t -> !t.isBlank()).ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    /** Fetches one file unless cached; returns false when the hub has no such file and it is optional. */
    boolean fetch(String file, boolean required) throws IOException, InterruptedException {
        Path target = targetDir().resolve(file);
        if (Files.isRegularFile(target)) {
            return true;
        }
        HttpResponse<Void> head = noRedirects.send(
                request(file).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() == 404 && !required) {
            return false;
        }
        if (head.statusCode() >= 400) {
            throw new IOException("HEAD " + uri(file) + " -> HTTP " + head.statusCode()
                    + (head.statusCode() == 401 || head.statusCode() == 403 ? " (set HF_TOKEN)" : ""));
        }
        Optional<String> etag = head.headers().firstValue("X-Linked-Etag")
                .or(() -> head.headers().firstValue("ETag"))
                .map(e -> e.replace("W/", "").replace("\"", "").toLowerCase(Locale.ROOT));
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.createDirectories(target.getParent());
        getResuming(file, part);
        verify(file, part, etag);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("downloaded {} ({} bytes)", uri(file), Files.size(target));
        return true;
    }

    private void getResuming(String file, Path part) throws IOException, InterruptedException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder b = request(file).GET();
        if (have > 0) {
            b.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> r = following.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        int code = r.statusCode();
        if (code == 416 && have > 0) {
            r.body().close();
            return; // the part file is already complete
        }
        if (code != 200 && code != 206) {
            r.body().close();
            throw new IOException("GET " + uri(file) + " -> HTTP " + code);
        }
        boolean append = code == 206;
        if (append) {
            LOG.info("resuming {} at byte {}", file, have);
        }
        try (InputStream in = r.body();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            in.transferTo(out);
        }
    }

    private static void verify(String file, Path part, Optional<String> etag) throws IOException {
        if (etag.isEmpty()) {
            return;
        }
        String expected = etag.get();
        String actual;
        if (expected.matches("[0-9a-f]{64}")) {
            actual = digest(part, "SHA-256", null);
        } else if (expected.matches("[0-9a-f]{40}")) {
            actual = digest(part, "SHA-1", ("blob " + Files.size(part) + "\0").getBytes(StandardCharsets.UTF_8));
        } else {
            return; // not a content hash: nothing to check against
        }
        if (!expected.equals(actual)) {
            Files.deleteIfExists(part);
            throw new IOException("checksum mismatch for " + file + ": expected " + expected + ", got " + actual);
        }
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            if (prefix != null) {
                md.update(prefix);
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
