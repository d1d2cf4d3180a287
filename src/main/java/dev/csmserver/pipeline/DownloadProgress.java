package dev.csmserver.pipeline;

/**
 * A whole download's progress as {@link LoadProgress} phases, {@code downloading NN%} of all the
 * bytes it fetches. A phase is passed on only when the percent grows, so the copy loop may call
 * {@link #add} for every buffer at no cost, and readiness never sees it go backwards (a retry that
 * starts a file over takes its bytes back out of the count, but not out of what was shown). Not
 * thread-safe: one download, one thread.
 */
final class DownloadProgress {
    private final LoadProgress sink;
    private final long total;
    private long done;
    private int shown = -1;

    /**
     * Reports the start at once: {@code done} of {@code total} bytes are there already (resumed
     * parts).
     */
    DownloadProgress(LoadProgress sink, long total, long done) {
        this.sink = sink;
        this.total = total;
        this.done = done;
        report();
    }

    /**
     * For the files fetched before the plan's total is known (the config and the index): reports
     * nothing.
     */
    static DownloadProgress none() {
        return new DownloadProgress(LoadProgress.NONE, 0, 0);
    }

    /** Counts {@code bytes} more (negative when a file is started over). */
    void add(long bytes) {
        done += bytes;
        report();
    }

    /**
     * Reports {@code downloading 100%}, whatever the count says (a total that was only an
     * estimate).
     */
    void finish() {
        done = Math.max(done, total);
        report();
    }

    private void report() {
        int percent = total <= 0 ? 100 : (int) Math.min(100, Math.max(0, done) * 100 / total);
        if (percent > shown) {
            shown = percent;
            sink.phase("downloading " + percent + "%");
        }
    }
}
