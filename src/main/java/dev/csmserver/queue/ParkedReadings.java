package dev.csmserver.queue;

import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.FinishReason;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Long requests between two parts that gave their batch slot to waiting jobs, oldest first. Each
 * holds only its codec and watermark streams (its part's KV caches are freed). One comes back
 * before the jobs that arrived after it parked, so neither side starves. Worker-thread only.
 */
final class ParkedReadings {
    private record Parked(Job job, long since) {}

    private final ArrayDeque<Parked> parked = new ArrayDeque<>();
    private final InferenceMetrics metrics;

    ParkedReadings(InferenceMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Requests that just ended a part: parked when {@code othersWait} (jobs wait for a slot: they
     * take it first), else handed to {@code resume} to start their next part at once.
     */
    void parkOrResume(List<Job> between, boolean othersWait, long now, Consumer<Job> resume) {
        for (Job j : between) {
            if (othersWait) {
                parked.addLast(new Parked(j, now));
                metrics.partYielded();
            } else {
                resume.accept(j);
            }
        }
    }

    /**
     * The oldest parked request when it parked before {@code head} (the longest-waiting job, or
     * null when none waits) was submitted, taken out; null when {@code head} goes first.
     */
    Job takeBefore(Job head) {
        Parked p = parked.peekFirst();
        if (p == null || (head != null && p.since() - head.submittedAt() >= 0)) {
            return null;
        }
        parked.pollFirst();
        return p.job();
    }

    /** Takes out the requests cancelled or past their deadline and hands each to {@code end}. */
    void endStale(long now, BiConsumer<Job, FinishReason> end) {
        for (Iterator<Parked> it = parked.iterator(); it.hasNext(); ) {
            Job j = it.next().job();
            FinishReason why = j.staleReason(now);
            if (why != null) {
                it.remove();
                end.accept(j, why);
            }
        }
    }

    /** Hands every parked request to {@code each} (which may end it) and forgets them. */
    void drain(Consumer<Job> each) {
        for (Parked p; (p = parked.poll()) != null; ) {
            each.accept(p.job());
        }
    }

    void forEach(Consumer<Job> each) {
        parked.forEach(p -> each.accept(p.job()));
    }
}
