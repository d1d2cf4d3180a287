package dev.csmserver.pipeline;

import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * One long task's progress log: a line at most every {@link #INTERVAL} (and one at the end) with
 * what, how far ({@code done/total} and percent), the rate and the time left. Byte tasks print MB
 * and MB/s; count tasks (weights loaded) print the counts. Not thread-safe: one task, one thread.
 */
public final class ProgressLog {
    /** The longest a user waits between two progress lines of a running task. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);

    private final Logger log;
    private final String what;
    private final long total;
    private final boolean bytes;
    private final long startNanos;
    private final long startDone;
    private long lastLogNanos;

    private ProgressLog(Logger log, String what, long total, boolean bytes, long startDone) {
        this.log = log;
        this.what = what;
        this.total = total;
        this.bytes = bytes;
        this.startDone = startDone;
        this.startNanos = System.nanoTime();
        this.lastLogNanos = startNanos;
    }

    /**
     * A byte-counting task ({@code total} may be -1 when unknown; {@code resumedAt} bytes were
     * there before).
     */
    public static ProgressLog bytes(Logger log, String what, long total, long resumedAt) {
        return new ProgressLog(log, what, total, true, resumedAt);
    }

    /** A counting task (tensors, layers). */
    public static ProgressLog count(Logger log, String what, long total) {
        return new ProgressLog(log, what, total, false, 0);
    }

    /** Percent done (0..100), or -1 when the total is unknown. */
    public int percent(long done) {
        return total <= 0 ? -1 : (int) Math.min(100, done * 100 / total);
    }

    /** Logs a line when {@link #INTERVAL} has passed since the last one. */
    public void update(long done) {
        long now = System.nanoTime();
        if (now - lastLogNanos >= INTERVAL.toNanos()) {
            lastLogNanos = now;
            log.info(line(done, now));
        }
    }

    /** Logs the final line. */
    public void done(long done) {
        log.info(line(done, System.nanoTime()));
    }

    String line(long done, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = (done - startDone) / seconds;
        StringBuilder b = new StringBuilder(what).append(": ");
        if (bytes) {
            b.append(String.format(Locale.ROOT, "%.1f", done / 1e6));
            if (total > 0) {
                b.append(
                        String.format(
                                Locale.ROOT, " / %.1f MB (%d%%)", total / 1e6, percent(done)));
            } else {
                b.append(" MB");
            }
            b.append(String.format(Locale.ROOT, ", %.1f MB/s", rate / 1e6));
        } else {
            b.append(done);
            if (total > 0) {
                b.append('/').append(total).append(" (").append(percent(done)).append("%)");
            }
        }
        if (total > 0 && done < total && rate > 0) {
            b.append(", ETA ").append(eta((long) Math.ceil((total - done) / rate)));
        }
        return b.toString();
    }

    private static String eta(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
}
