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
    private record Parked(Running running, long since) {}

    private final ArrayDeque<Parked> parked = new ArrayDeque<>();
    private final InferenceMetrics metrics;

    ParkedReadings(InferenceMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Requests that just ended a part: parked when {@code othersWait} (jobs wait for a slot: they
     * take it first), else handed to {@code resume} to start their next part at once.
     */
    void parkOrResume(
            List<Running> between, boolean othersWait, long now, Consumer<Running> resume) {
        for (Running r : between) {
            if (othersWait) {
                parked.addLast(new Parked(r, now));
                metrics.partYielded();
            } else {
                resume.accept(r);
            }
        }
    }

    /**
     * The oldest parked request when it parked before {@code head} (the longest-waiting job, or
     * null when none waits) was submitted, taken out; null when {@code head} goes first.
     */
    Running takeBefore(Job head) {
        Parked p = parked.peekFirst();
        if (p == null || (head != null && p.since() - head.submittedAt() >= 0)) {
            return null;
        }
        parked.pollFirst();
        return p.running();
    }

    /** Takes out the requests cancelled or past their deadline and hands each to {@code end}. */
    void endStale(long now, BiConsumer<Running, FinishReason> end) {
        for (Iterator<Parked> it = parked.iterator(); it.hasNext(); ) {
            Running r = it.next().running();
            FinishReason why = r.staleReason(now);
            if (why != null) {
                it.remove();
                end.accept(r, why);
            }
        }
    }

    /** Hands every parked request to {@code each} (which may end it) and forgets them. */
    void drain(Consumer<Running> each) {
        for (Parked p; (p = parked.poll()) != null; ) {
            each.accept(p.running());
        }
    }

    void forEach(Consumer<Running> each) {
        parked.forEach(p -> each.accept(p.running()));
    }
}
