package dev.csmserver.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one hub file into a snapshot: into {@code <name>.part}, resumed with a Range request after
 * a dropped connection (a few times within one run, and on the next start, since the part stays),
 * hashed while the bytes flow, checked against the hub's sha256 or git blob sha1, and only then
 * moved into place atomically, so a file at its final path is always complete and verified. The
 * copy is a buffer loop rather than {@code transferTo} so progress is reported while a 5 GB shard
 * arrives, and so a watchdog sees every byte: a body that stops without closing is aborted after
 * {@link #STALL_LIMIT} and resumed like a dropped connection.
 */
final class HubTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(HubTransfer.class);
    private static final int ATTEMPTS = 4;
    private static final long PAUSE_MILLIS = 2_000;
    private static final int BUFFER = 1 << 16;

    /**
     * How long a body may send nothing before the transfer is given up and resumed. The client's
     * request timeout covers only the answer's headers, so a CDN connection that stays open but
     * sends no more (a half-dead proxy, a lost route without a reset) would otherwise block startup
     * forever. 60 s is far past the pauses of a slow but live link, and short against the minutes a
     * shard takes.
     */
    static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    /**
     * One daemon thread for every transfer's watchdog; it only checks a clock and closes a stream,
     * and it ends when no transfer has needed it for a while, so nothing lingers after the
     * download.
     */
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final HubClient client;
    private final Duration stallLimit;

    HubTransfer(HubClient client) {
        this(client, STALL_LIMIT);
    }

    /**
     * A transfer that gives up a silent body after {@code stallLimit} (tests use a fraction of a
     * second).
     */
    HubTransfer(HubClient client, Duration stallLimit) {
        if (stallLimit.isNegative() || stallLimit.isZero()) {
            throw new IllegalArgumentException("stall limit must be positive: " + stallLimit);
        }
        this.client = client;
        this.stallLimit = stallLimit;
    }

    /** The part file a download of {@code target} writes to. */
    static Path part(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /** Bytes already in {@code target}'s part file (0 when there is none). */
    static long partSize(Path target) throws IOException {
        Path part = part(target);
        return Files.isRegularFile(part) ? Files.size(part) : 0;
    }

    /**
     * Fetches {@code f} of {@code commit} to {@code target}; {@code what} names it in the log
     * lines.
     */
    void fetch(String commit, HubFile f, Path target, DownloadProgress progress, String what)
            throws IOException, InterruptedException {
        Files.createDirectories(target.getParent());
        Path part = part(target);
        ProgressLog log = ProgressLog.bytes(LOG, what, f.size(), partSize(target));
        MessageDigest digest;
        for (int attempt = 1; ; attempt++) {
            try {
                digest = attempt(commit, f, part, progress, log);
                break;
            } catch (HubException e) {
                throw e;
            } catch (IOException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                if (e instanceof Stalled) {
                    LOG.warn(
                            "{}; aborted the transfer, resuming (attempt {} of {})",
                            e.getMessage(),
                            attempt + 1,
                            ATTEMPTS);
                } else {
                    LOG.warn(
                            "{}: {} with {} bytes in {}; resuming (attempt {} of {})",
                            f.name(),
                            e,
                            partSize(target),
                            part.getFileName(),
                            attempt + 1,
                            ATTEMPTS);
                }
                Thread.sleep(PAUSE_MILLIS * (attempt - 1));
            }
        }
        try {
            f.verify(digest);
        } catch (HubException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(
                part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.done(f.size());
    }

    /** One GET from where the part ends; returns the digest fed with the whole file. */
    private MessageDigest attempt(
            String commit, HubFile f, Path part, DownloadProgress progress, ProgressLog log)
            throws IOException, InterruptedException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (have > f.size()) {
            Files.delete(part);
            progress.add(-have);
            have = 0;
        }
        MessageDigest md = f.newDigest();
        if (have == f.size()) {
            if (have == 0) {
                Files.write(part, new byte[0]);
            }
            feed(md, part);
            return md;
        }
        HttpResponse<InputStream> r = client.get(commit, f.name(), have);
        if (r.statusCode() == 416) {
            r.body().close();
            Files.deleteIfExists(part);
            progress.add(-have);
            throw new IOException("the hub refused to resume " + f.name() + " at byte " + have);
        }
        boolean resume = r.statusCode() == 206 && have > 0;
        if (resume) {
            String range = r.headers().firstValue("Content-Range").orElse("bytes " + have + "-");
            if (!range.startsWith("bytes " + have + "-")) {
                r.body().close();
                throw new HubException(f.name() + ": asked for bytes " + have + "-, got " + range);
            }
            LOG.info("resuming {} at byte {} of {}", f.name(), have, f.size());
            feed(md, part);
        } else {
            progress.add(-have);
            have = 0;
        }
        long done = copy(f, r.body(), part, resume, md, have, progress, log);
        if (done > f.size()) {
            Files.delete(part);
            throw new HubException(f.name() + ": got " + done + " bytes, the hub said " + f.size());
        }
        if (done < f.size()) {
            throw new IOException(
                    f.name() + ": the connection ended at byte " + done + " of " + f.size());
        }
        return md;
    }

    /**
     * Appends the body to the part file; a body silent for the stall limit is closed by the
     * watchdog (which makes the blocked read return) and reported as an {@link IOException} naming
     * the offset.
     */
    private long copy(
            HubFile f,
            InputStream body,
            Path part,
            boolean append,
            MessageDigest md,
            long done,
            DownloadProgress progress,
            ProgressLog log)
            throws IOException {
        try (InputStream in = body;
                Watchdog watch = new Watchdog(in, stallLimit);
                OutputStream out =
                        Files.newOutputStream(
                                part,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE,
                                append
                                        ? StandardOpenOption.APPEND
                                        : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[BUFFER];
            try {
                for (int n; (n = in.read(buf)) != -1; ) {
                    watch.alive();
                    out.write(buf, 0, n);
                    if (md != null) {
                        md.update(buf, 0, n);
                    }
                    done += n;
                    progress.add(n);
                    log.update(done);
                }
            } catch (IOException e) {
                if (!watch.fired()) {
                    throw e;
                }
            }
            if (watch.fired()) {
                throw new Stalled(
                        f.name()
                                + " stalled at byte "
                                + done
                                + " of "
                                + f.size()
                                + ": no byte for "
                                + seconds(stallLimit));
            }
        }
        return done;
    }

    /**
     * A body that sent nothing for the stall limit: retried like a dropped connection, from where
     * it stopped.
     */
    private static final class Stalled extends IOException {
        Stalled(String message) {
            super(message);
        }
    }

    /**
     * Closes a body that has sent nothing for the limit. It is one task on {@link #WATCHDOG} that,
     * when due, either finds a byte arrived meanwhile and sets itself again for the rest of the
     * limit, or closes the stream; so a 5 GB copy schedules a handful of tasks, not one per buffer.
     * Closing it cancels the stream's subscription, which wakes the copy's blocked read; {@link
     * #close} cancels the pending task, so a finished transfer leaves nothing scheduled.
     */
    private static final class Watchdog implements Runnable, AutoCloseable {
        private final InputStream body;
        private final long limitNanos;
        private volatile long lastByte = System.nanoTime();
        private volatile boolean fired;
        private ScheduledFuture<?> pending;
        private boolean closed;

        Watchdog(InputStream body, Duration limit) {
            this.body = body;
            this.limitNanos = limit.toNanos();
            synchronized (this) {
                pending = WATCHDOG.schedule(this, limitNanos, TimeUnit.NANOSECONDS);
            }
        }

        /** Bytes arrived: the limit counts from now. */
        void alive() {
            lastByte = System.nanoTime();
        }

        boolean fired() {
            return fired;
        }

        @Override
        public synchronized void run() {
            if (closed) {
                return;
            }
            long silent = System.nanoTime() - lastByte;
            if (silent < limitNanos) {
                pending = WATCHDOG.schedule(this, limitNanos - silent, TimeUnit.NANOSECONDS);
                return;
            }
            fired = true;
            try {
                body.close();
            } catch (IOException e) {
                LOG.debug("closing a stalled body", e);
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            pending.cancel(false);
        }
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor e =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "hub-stall-watchdog");
                            t.setDaemon(true);
                            return t;
                        });
        e.setRemoveOnCancelPolicy(true);
        e.setKeepAliveTime(10, TimeUnit.SECONDS);
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static void feed(MessageDigest md, Path file) throws IOException {
        if (md == null) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) != -1; ) {
                md.update(buf, 0, n);
            }
        }
    }
}
