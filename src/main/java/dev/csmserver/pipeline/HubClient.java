package dev.csmserver.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The three hub calls a download needs: the revision's commit and file list ({@code
 * /api/models/{repo}/revision/{rev}}), a HEAD per file that stops at the LFS redirect (the 302
 * itself carries the sha256 and the size), and a GET from a byte offset that follows redirects by
 * hand so the Range header survives them. The bearer token goes to the hub's own host only, never
 * to the CDN a download is sent on to. A 4xx becomes a {@link HubException} that says what to fix;
 * a 5xx or a network failure stays a plain {@link IOException} (retry, or fall back to the cache).
 */
final class HubClient {
    /** How long the hub may take to start answering (not the whole body: a shard takes minutes). */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private static final int MAX_REDIRECTS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A revision resolved to its commit, with every file path the commit holds. */
    record Revision(String commit, List<String> files) {}

    private final URI endpoint;
    private final String repo;
    private final Optional<String> token;
    private final HttpClient http;

    HubClient(String endpoint, String repo, Optional<String> token) {
        this.endpoint = URI.create(endpoint.replaceAll("/+$", "") + "/");
        this.repo = repo;
        this.token = token.filter(t -> !t.isBlank());
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(20))
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    /** The hub's base URL, for messages. */
    String endpoint() {
        return endpoint.toString();
    }

    /** Resolves {@code revision} (a branch, tag or commit) to its commit and file list. */
    Revision revision(String revision) throws IOException, InterruptedException {
        URI uri =
                endpoint.resolve(
                        "api/models/" + encodePath(repo) + "/revision/" + encode(revision));
        HttpResponse<byte[]> r = send("GET", uri, 0, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw failure(
                    r,
                    "the model API",
                    repo
                            + "@"
                            + revision
                            + " does not exist on "
                            + endpoint
                            + " (check CSM_MODEL_HF_ID and the revision)");
        }
        JsonNode json = JSON.readTree(r.body());
        String sha = json.path("sha").asText("");
        if (!sha.matches("[0-9a-f]{40}")) {
            throw new HubException(uri + " gave no commit sha for " + repo + "@" + revision);
        }
        List<String> files = new ArrayList<>();
        for (JsonNode s : json.path("siblings")) {
            files.add(s.path("rfilename").asText());
        }
        return new Revision(sha, List.copyOf(files));
    }

    /**
     * HEADs one file of {@code commit} without following the LFS redirect: its size and content
     * hash.
     */
    HubFile head(String commit, String file) throws IOException, InterruptedException {
        HttpResponse<Void> r =
                send("HEAD", resolve(commit, file), 0, HttpResponse.BodyHandlers.discarding());
        Optional<String> linked = r.headers().firstValue("X-Linked-Etag");
        boolean lfs = r.statusCode() / 100 == 3 && linked.isPresent();
        if (!lfs && r.statusCode() != 200) {
            throw failure(r, file, repo + "@" + commit + " has no " + file);
        }
        String size = r.headers().firstValue(lfs ? "X-Linked-Size" : "Content-Length").orElse("");
        if (!size.matches("\\d+")) {
            throw new HubException("HEAD " + file + " gave no size (HTTP " + r.statusCode() + ")");
        }
        String etag = linked.or(() -> r.headers().firstValue("ETag")).orElse(null);
        return new HubFile(file, Long.parseLong(size), HubFile.hashOf(etag));
    }

    /**
     * GETs one file of {@code commit} from byte {@code from}: 200 (whole file), 206 (the rest) or
     * 416.
     */
    HttpResponse<InputStream> get(String commit, String file, long from)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> r =
                send("GET", resolve(commit, file), from, HttpResponse.BodyHandlers.ofInputStream());
        int c = r.statusCode();
        if (c != 200 && c != 206 && c != 416) {
            r.body().close();
            throw failure(r, file, repo + "@" + commit + " has no " + file);
        }
        return r;
    }

    private URI resolve(String commit, String file) {
        return endpoint.resolve(encodePath(repo) + "/resolve/" + commit + "/" + encodePath(file));
    }

    /** Sends one request, following redirects by hand except the LFS 302 a HEAD is asked for. */
    private <T> HttpResponse<T> send(
            String method, URI start, long from, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        URI uri = start;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(uri)
                            .timeout(ANSWER_TIMEOUT)
                            .method(method, HttpRequest.BodyPublishers.noBody());
            if (origin(uri).equals(origin(endpoint))) {
                token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
            }
            if (from > 0) {
                b.header("Range", "bytes=" + from + "-");
            }
            HttpResponse<T> r = http.send(b.build(), body);
            Optional<String> location = r.headers().firstValue("Location");
            boolean lfsHead =
                    method.equals("HEAD") && r.headers().firstValue("X-Linked-Etag").isPresent();
            if (r.statusCode() / 100 != 3 || location.isEmpty() || lfsHead) {
                return r;
            }
            if (r.body() instanceof InputStream in) {
                in.close();
            }
            if (hop == MAX_REDIRECTS) {
                throw new HubException("more than " + MAX_REDIRECTS + " redirects from " + start);
            }
            try {
                uri = uri.resolve(location.get());
            } catch (IllegalArgumentException e) {
                throw new HubException(
                        uri + " redirected to a malformed location: " + location.get());
            }
        }
    }

    /**
     * What a failed answer means for the user: a token to set, a name to check, or a hub to wait
     * for.
     */
    private IOException failure(HttpResponse<?> r, String what, String notFound) {
        int c = r.statusCode();
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        String message = r.headers().firstValue("X-Error-Message").orElse("");
        String detail =
                "HTTP "
                        + c
                        + (code.isEmpty() ? "" : " " + code)
                        + (message.isEmpty() ? "" : ": " + message);
        if (c >= 500) {
            return new IOException(endpoint + " answered " + detail + " for " + what);
        }
        if (c == 404 || code.endsWith("NotFound")) {
            boolean repoMissing = !code.equals("EntryNotFound");
            return new HubException(
                    notFound
                            + " ("
                            + detail
                            + ")"
                            + (repoMissing && token.isEmpty()
                                    ? "; a gated or private repo also needs HF_TOKEN"
                                    : ""));
        }
        if (c == 401 || c == 403) {
            String fix =
                    token.isEmpty()
                            ? "set HF_TOKEN to a Hugging Face access token"
                            : "the HF_TOKEN given has no access: check it";
            return new HubException(
                    repo
                            + ": the hub refused "
                            + what
                            + " ("
                            + detail
                            + "): "
                            + fix
                            + " and accept the licence on "
                            + endpoint
                            + repo);
        }
        return new HubException(repo + ": " + what + " failed with " + detail);
    }

    private static String origin(URI u) {
        int port =
                u.getPort() != -1
                        ? u.getPort()
                        : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
        return u.getScheme() + "://" + u.getHost() + ":" + port;
    }

    private static String encodePath(String path) {
        return Stream.of(path.split("/", -1))
                .map(HubClient::encode)
                .collect(Collectors.joining("/"));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
