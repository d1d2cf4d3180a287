package dev.csmserver.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.csmserver.golden.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A local stand-in for the Hugging Face hub on a JDK {@link HttpServer}: one gated repo, {@link
 * #REPO}, holding the tiny fixture laid out like the published {@code sesame/csm-1b} ({@code
 * Fixtures.csm()/hub}, read whole) plus a fake {@code ckpt.pt}, a {@code README.md} and a {@code
 * .gitattributes}. It answers like the hub: 401 without the bearer token on every route; the model
 * API with the commit sha and the siblings; a HEAD or GET of an LFS file ({@code *.safetensors},
 * {@code *.pt}, {@code *.wav}) is a 302 to a CDN path on the same server carrying {@code
 * X-Linked-Etag} (quoted sha256) and {@code X-Linked-Size}; a small file is a 200 with the quoted
 * git blob sha1 as {@code ETag}; GET honours {@code Range} with a 206; a missing file is a 404 with
 * {@code X-Error-Code: EntryNotFound}. Every request is recorded, and {@code main} can be moved to
 * a new commit while the old one stays readable. A test can make it drop a body half way, stall
 * half way (the connection open, nothing sent), or send LFS bodies slowly, as a CDN does; each
 * exchange has its own thread, so a stalled one does not hold up the next.
 */
final class HubStandIn implements AutoCloseable {
    static final String REPO = "sesame/csm-1b";
    static final String TOKEN = "hf_test_token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    static {
        // Small answers otherwise wait ~40 ms each for a delayed ACK (Nagle): tests stay fast with
        // it off.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** One request as the stand-in saw it, with the status it answered. */
    record Request(String method, String path, String range, String auth, int status) {
        /** The repo file a {@code /resolve/} request asked for, or null for other routes. */
        String resolvedFile() {
            String prefix = "/" + REPO + "/resolve/";
            if (!path.startsWith(prefix)) {
                return null;
            }
            String rest = path.substring(prefix.length());
            return rest.substring(rest.indexOf('/') + 1);
        }
    }

    private final HttpServer server;
    private final Map<String, Map<String, byte[]>> commits = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, String> blobNames = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> cuts = new ConcurrentHashMap<>();
    private final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    private final Map<String, Duration> stalls = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ExecutorService exchanges =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "hub-stand-in");
                        t.setDaemon(true);
                        return t;
                    });
    private volatile long throttle;
    private volatile String main;

    HubStandIn() throws IOException {
        Path hub = Fixtures.require(Fixtures.csm().resolve("hub"));
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(hub)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                files.put(hub.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        byte[] pickle = new byte[8192];
        for (int i = 0; i < pickle.length; i++) {
            pickle[i] = (byte) (i * 31 + 7);
        }
        files.put("ckpt.pt", pickle);
        files.putIfAbsent(
                "README.md",
                "---\nlicense: apache-2.0\n---\n# CSM 1B\n".getBytes(StandardCharsets.UTF_8));
        files.put(
                ".gitattributes",
                "*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.pt filter=lfs diff=lfs"
                        .getBytes(StandardCharsets.UTF_8));
        publish(files);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.setExecutor(exchanges);
        server.start();
    }

    /** The hub's base URL. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The commit {@code main} points at now. */
    String main() {
        return main;
    }

    /** The files of {@code main} (read-only). */
    Map<String, byte[]> files() {
        return Collections.unmodifiableMap(commits.get(main));
    }

    /** Publishes {@code files} as a new commit and moves {@code main} to it; returns the commit. */
    String publish(Map<String, byte[]> files) {
        Map<String, byte[]> copy = new TreeMap<>(files);
        MessageDigest md = digest("SHA-1");
        md.update(("parent " + main + "\n").getBytes(StandardCharsets.UTF_8));
        copy.forEach(
                (name, body) -> {
                    md.update(name.getBytes(StandardCharsets.UTF_8));
                    md.update(body);
                    String sha = sha256(body);
                    blobs.put(sha, body);
                    blobNames.put(sha, name);
                });
        String commit = HexFormat.of().formatHex(md.digest());
        commits.put(commit, copy);
        main = commit;
        return commit;
    }

    /**
     * Drops the connection half way through the next {@code times} GETs of {@code file}'s bytes.
     */
    void cutNextGets(String file, int times) {
        cuts.put(file, times);
    }

    /**
     * The next GET of {@code file}'s bytes sends half of them, then holds the connection open
     * sending nothing for {@code hold} (or until {@link #close}), then drops it.
     */
    void stallNextGet(String file, Duration hold) {
        stalls.put(file, hold);
    }

    /** Sends LFS bodies at about {@code bytesPerSecond} from now on (0: at full speed). */
    void throttle(long bytesPerSecond) {
        throttle = Math.max(0, bytesPerSecond);
    }

    /**
     * Whether the hub keeps {@code file} in LFS (a redirect to the CDN), like the published repo.
     */
    static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".pt") || file.endsWith(".wav");
    }

    /**
     * Serves {@code file} with one byte flipped (its hash headers still those of the right bytes).
     */
    void corrupt(String file) {
        corrupt.add(file);
    }

    /** Serves {@code file} right again. */
    void repair(String file) {
        corrupt.remove(file);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        exchanges.shutdownNow();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().add("X-Error-Code", "GatedRepo");
                ex.getResponseHeaders()
                        .add("X-Error-Message", "Access to model " + REPO + " is restricted.");
                send(ex, 401, -1);
            } else if (path.startsWith("/api/models/" + REPO + "/revision/")) {
                modelApi(ex, path.substring(("/api/models/" + REPO + "/revision/").length()));
            } else if (path.startsWith("/cdn-lfs/")
                    && blobs.containsKey(path.substring("/cdn-lfs/".length()))) {
                String sha = path.substring("/cdn-lfs/".length());
                body(ex, blobNames.get(sha), blobs.get(sha), true);
            } else if (path.startsWith("/" + REPO + "/resolve/")) {
                String rest = path.substring(("/" + REPO + "/resolve/").length());
                int slash = rest.indexOf('/');
                resolve(
                        ex,
                        commitOf(rest.substring(0, Math.max(slash, 0))),
                        rest.substring(slash + 1));
            } else {
                ex.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
                send(ex, 404, -1);
            }
        }
    }

    private String commitOf(String revision) {
        return revision.equals("main") ? main : commits.containsKey(revision) ? revision : null;
    }

    private void modelApi(HttpExchange ex, String revision) throws IOException {
        String commit = commitOf(revision);
        if (commit == null) {
            ex.getResponseHeaders().add("X-Error-Code", "RevisionNotFound");
            send(ex, 404, -1);
            return;
        }
        ObjectNode json = JSON.createObjectNode().put("id", REPO).put("sha", commit);
        ArrayNode siblings = json.putArray("siblings");
        commits.get(commit).keySet().forEach(name -> siblings.addObject().put("rfilename", name));
        byte[] body = JSON.writeValueAsBytes(json);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        send(ex, 200, body.length);
        ex.getResponseBody().write(body);
    }

    private void resolve(HttpExchange ex, String commit, String file) throws IOException {
        byte[] body = commit == null ? null : commits.get(commit).get(file);
        if (body == null) {
            ex.getResponseHeaders()
                    .add("X-Error-Code", commit == null ? "RevisionNotFound" : "EntryNotFound");
            send(ex, 404, -1);
            return;
        }
        ex.getResponseHeaders().add("X-Repo-Commit", commit);
        if (isLfs(file)) {
            String sha = sha256(body);
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
            ex.getResponseHeaders().add("X-Linked-Size", Integer.toString(body.length));
            ex.getResponseHeaders().add("Location", "/cdn-lfs/" + sha);
            send(ex, 302, -1);
            return;
        }
        MessageDigest md = digest("SHA-1");
        md.update(("blob " + body.length + "\0").getBytes(StandardCharsets.UTF_8));
        ex.getResponseHeaders()
                .add("ETag", "\"" + HexFormat.of().formatHex(md.digest(body)) + "\"");
        body(ex, file, body, false);
    }

    /**
     * A file's bytes: whole (200), from a Range start (206), or 416 past the end; HEAD gets the
     * headers only.
     */
    private void body(HttpExchange ex, String file, byte[] bytes, boolean lfs) throws IOException {
        byte[] body = bytes;
        if (corrupt.contains(file)) {
            body = bytes.clone();
            body[body.length / 2] ^= 1;
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
            send(ex, 200, -1);
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : RANGE.matcher(range);
        int from = m != null && m.matches() ? Integer.parseInt(m.group(1)) : 0;
        if (from > 0 && from >= body.length) {
            ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
            send(ex, 416, -1);
            return;
        }
        if (m != null && m.matches()) {
            ex.getResponseHeaders()
                    .add(
                            "Content-Range",
                            "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        int length = body.length - from;
        send(ex, m != null && m.matches() ? 206 : 200, length == 0 ? -1 : length);
        OutputStream out = ex.getResponseBody();
        long rate = lfs ? throttle : 0;
        Duration stall = stalls.remove(file);
        if (stall != null) {
            write(out, body, from, length / 2, rate);
            hold(stall);
            throw new IOException("the stand-in drops the stalled connection");
        }
        Integer cutsLeft = cuts.get(file);
        if (cutsLeft != null) {
            if (cutsLeft <= 1) {
                cuts.remove(file);
            } else {
                cuts.put(file, cutsLeft - 1);
            }
            write(out, body, from, length / 2, rate);
            throw new IOException("the stand-in drops the connection");
        }
        write(out, body, from, length, rate);
    }

    /**
     * Writes {@code length} bytes, flushed, in twentieths of a second's worth when {@code rate} is
     * set.
     */
    private void write(OutputStream out, byte[] body, int from, int length, long rate)
            throws IOException {
        if (rate <= 0) {
            out.write(body, from, length);
            out.flush();
            return;
        }
        int chunk = (int) Math.max(1, Math.min(1 << 16, rate / 20));
        long start = System.nanoTime();
        for (int sent = 0; sent < length; ) {
            int n = Math.min(chunk, length - sent);
            out.write(body, from + sent, n);
            out.flush();
            sent += n;
            long due = start + sent * 1_000_000_000L / rate;
            hold(Duration.ofNanos(due - System.nanoTime()));
        }
    }

    /**
     * Waits {@code d}, cut short by {@link #close} (which also interrupts), so no exchange outlives
     * the server.
     */
    private void hold(Duration d) throws IOException {
        try {
            if (!d.isNegative() && closed.await(d.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("the stand-in is closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the stand-in is closed", e);
        }
    }

    private void send(HttpExchange ex, int status, long length) throws IOException {
        requests.add(
                new Request(
                        ex.getRequestMethod(),
                        ex.getRequestURI().getPath(),
                        ex.getRequestHeaders().getFirst("Range"),
                        ex.getRequestHeaders().getFirst("Authorization"),
                        status));
        ex.sendResponseHeaders(status, length);
    }

    static String sha256(byte[] body) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(body));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
