package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.csmserver.golden.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads the tiny CSM fixture (transformers layout, sharded) from a local JDK HTTP server that
 * mimics the hub: {@code /{repo}/resolve/{revision}/{file}}, LFS files with a sha256 X-Linked-Etag,
 * small files with a git-blob-sha1 ETag, Range support, a bearer token check.
 */
class ModelSourceDownloaderTest {
    private static final String REPO = "test-org/csm-tiny";
    private static final String TOKEN = "hf_test_token";

    @TempDir Path cache;
    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    /** Files whose first GET is cut off half way (a dropped connection). */
    private final Map<String, Boolean> cutOnce = new ConcurrentHashMap<>();
    private final Map<String, String> wrongEtag = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        Path hf = Fixtures.require(Fixtures.csm().resolve("hf"));
        try (Stream<Path> s = Files.list(hf)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        files.put("tokenizer.json", Files.readAllBytes(Fixtures.csm().resolve("tokenizer.json")));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ModelSourceDownloader downloader() {
        String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        return new ModelSourceDownloader(ModelSource.hub(REPO, "main", cache, endpoint, Optional.of(TOKEN)));
    }

    @Test
    void downloadsEveryShardOnceAndVerifiesChecksums() throws IOException {
        Path dir = downloader().download();
        for (String name : files.keySet()) {
            if (name.equals("model.safetensors.index.json") || name.endsWith(".safetensors")
                    || name.equals("config.json") || name.equals("tokenizer.json")) {
                assertArrayEquals(files.get(name), Files.readAllBytes(dir.resolve(name)), name);
            }
        }
        int requests = log.size();
        assertTrue(log.stream().allMatch(l -> l.endsWith("auth=Bearer " + TOKEN)), log.toString());
        downloader().download();
        assertEquals(requests, log.size(), "a cached model is never fetched again");
    }

    @Test
    void resumesAnInterruptedDownloadWithARangeRequest() throws IOException {
        String shard = "model-00001-of-00002.safetensors";
        cutOnce.put(shard, true);
        assertThrows(UncheckedIOException.class, () -> downloader().download());
        Path part = downloader().targetDir().resolve(shard + ".part");
        assertTrue(Files.size(part) > 0 && Files.size(part) < files.get(shard).length);
        Path dir = downloader().download();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /" + REPO + "/resolve/main/" + shard + " range=bytes=")),
                log.toString());
        assertArrayEquals(files.get(shard), Files.readAllBytes(dir.resolve(shard)));
        assertFalse(Files.exists(part));
    }

    @Test
    void refusesAFileWhoseChecksumDoesNotMatch() {
        wrongEtag.put("config.json", "0".repeat(40));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> downloader().download());
        assertTrue(e.getCause().getMessage().contains("checksum mismatch"), e.getCause().getMessage());
        assertFalse(Files.exists(downloader().targetDir().resolve("config.json")));
    }

    @Test
    void aMissingTokenIsAClearError() {
        String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
        ModelSourceDownloader anonymous = new ModelSourceDownloader(
                ModelSource.hub(REPO, "main", cache, endpoint, Optional.empty()));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, anonymous::download);
        assertTrue(e.getCause().getMessage().contains("HF_TOKEN"), e.getCause().getMessage());
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String range = ex.getRequestHeaders().getFirst("Range");
        log.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " range=" + range) + " auth=" + auth);
        String prefix = "/" + REPO + "/resolve/main/";
        byte[] body = path.startsWith(prefix) ? files.get(path.substring(prefix.length())) : null;
        if (!("Bearer " + TOKEN).equals(auth)) {
            ex.sendResponseHeaders(401, -1);
            ex.close();
            return;
        }
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        String name = path.substring(prefix.length());
        String etag = wrongEtag.getOrDefault(name, name.endsWith(".safetensors") ? sha256(body) : gitBlobSha1(body));
        ex.getResponseHeaders().add(name.endsWith(".safetensors") ? "X-Linked-Etag" : "ETag", "\"" + etag + "\"");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
        ex.sendResponseHeaders(range == null ? 200 : 206, body.length - from);
        try (OutputStream out = ex.getResponseBody()) {
            if (cutOnce.remove(name) != null) {
                out.write(body, from, (body.length - from) / 2);
                out.flush();
                throw new IOException("simulated dropped connection");
            }
            out.write(body, from, body.length - from);
        }
    }

    private static String sha256(byte[] b) {
        return hex("SHA-256", new byte[0], b);
    }

    private static String gitBlobSha1(byte[] b) {
        return hex("SHA-1", ("blob " + b.length + "\0").getBytes(StandardCharsets.UTF_8), b);
    }

    private static String hex(String alg, byte[] prefix, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance(alg);
            md.update(prefix);
            return HexFormat.of().formatHex(md.digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
