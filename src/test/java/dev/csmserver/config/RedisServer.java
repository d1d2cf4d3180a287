package dev.csmserver.config;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.runtime.datasource.BlockingRedisDataSourceImpl;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} for tests. {@code -Dcsm.test.redis.url} (or the env var
 * CSM_TEST_REDIS_URL, exported by .ci/services) names a running one; otherwise a private
 * redis-server process is started on a free loopback port. A missing binary is a failure with the
 * fix in the message, never a skip.
 */
final class RedisServer implements AutoCloseable {
    private final Process process;
    private final String url;
    private final Vertx vertx = Vertx.vertx();
    private final List<Redis> clients = new ArrayList<>();

    private RedisServer(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /** The configured external server, or a private one. */
    static RedisServer sharedOrStart() throws IOException, InterruptedException {
        String configured =
                System.getProperty("csm.test.redis.url", System.getenv("CSM_TEST_REDIS_URL"));
        if (configured != null && !configured.isBlank()) {
            return new RedisServer(null, configured);
        }
        return start();
    }

    /** Always a private redis-server process (so a test may stop it). */
    static RedisServer start() throws IOException, InterruptedException {
        String binary = findBinary();
        int port = freePort();
        Process p =
                new ProcessBuilder(
                                binary,
                                "--port",
                                Integer.toString(port),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--protected-mode",
                                "yes")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!accepts(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-server did not start on port " + port);
            }
            Thread.sleep(50);
        }
        // backstop: a test JVM that exits without closing the server must not leave it running
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-redis-" + port));
        return new RedisServer(p, "redis://127.0.0.1:" + port);
    }

    String url() {
        return url;
    }

    /** A new blocking data source (its own client and pool), like one replica's. */
    RedisDataSource newDataSource() {
        return dataSource(vertx, url, clients);
    }

    /** A data source on a URL nothing listens on. */
    RedisDataSource closedPortDataSource() throws IOException {
        return dataSource(vertx, "redis://127.0.0.1:" + freePort(), clients);
    }

    /** Kills a private server (the data sources stay, pointing at a dead port). */
    void stop() throws InterruptedException {
        if (process == null) {
            throw new IllegalStateException("cannot stop an external Redis");
        }
        process.destroyForcibly().waitFor();
    }

    /**
     * Freezes a private server with SIGSTOP: connections stay open and accept bytes, but nothing
     * answers, as with a Redis that hangs. {@link #resume} undoes it.
     */
    void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Lets a {@link #pause paused} server run again (SIGCONT). */
    void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String which) throws IOException, InterruptedException {
        if (process == null) {
            throw new IllegalStateException("cannot signal an external Redis");
        }
        int rc =
                new ProcessBuilder("kill", which, Long.toString(process.pid()))
                        .inheritIO()
                        .start()
                        .waitFor();
        if (rc != 0) {
            throw new IllegalStateException("kill " + which + " " + process.pid() + " gave " + rc);
        }
    }

    @Override
    public void close() throws InterruptedException {
        clients.forEach(Redis::close);
        vertx.closeAndAwait();
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(); // SIGKILL ends a stopped process too
        }
    }

    private static RedisDataSource dataSource(Vertx vertx, String url, List<Redis> clients) {
        Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url));
        clients.add(client);
        return new BlockingRedisDataSourceImpl(
                vertx, client, RedisAPI.api(client), Duration.ofSeconds(5));
    }

    private static String findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        for (String fixed : List.of("/usr/bin/redis-server", "/usr/sbin/redis-server")) {
            if (Files.isExecutable(Path.of(fixed))) {
                return fixed;
            }
        }
        throw new IllegalStateException(
                "redis-server not found: install it (apt-get install -y redis-server, "
                        + "as .ci/run does) or set -Dcsm.test.redis.url=redis://host:port");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
