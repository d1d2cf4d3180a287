package dev.csmserver.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Records the service's decisions (enqueue, reject, admit, first audio, finish, cancel, error) as
 * Micrometer meters named in {@link Meters}. Thread-safe; its API uses plain Java types so the
 * worker does not depend on Micrometer.
 */
public final class InferenceMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger activeBatch = new AtomicInteger();
    private final AtomicLong framesPerSecondMilli = new AtomicLong();
    private final Timer timeToFirstAudio;
    private final DistributionSummary rtf;
    private final Counter frames;
    private final Counter audioSeconds;
    private final Counter rejections;
    private final Counter cancellations;
    private final Counter encodeChunks;
    private final Counter encodeRejections;
    private final Counter parts;
    private final Counter longRequests;
    private final Counter partsYielded;

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(Meters.ACTIVE_BATCH, activeBatch, AtomicInteger::get)
                .description("requests in the running batch")
                .register(registry);
        Gauge.builder(Meters.FRAMES_PER_SECOND, framesPerSecondMilli, v -> v.get() / 1000.0)
                .description("frames per second over the last batch step")
                .register(registry);
        timeToFirstAudio =
                Timer.builder(Meters.TIME_TO_FIRST_AUDIO)
                        .description("submit to first audio chunk")
                        .publishPercentiles(0.5, 0.95)
                        .register(registry);
        rtf =
                DistributionSummary.builder(Meters.RTF)
                        .description("generation wall time / audio duration")
                        .publishPercentiles(0.5, 0.95)
                        .register(registry);
        frames = counter(Meters.FRAMES, "frames generated");
        audioSeconds = counter(Meters.AUDIO_SECONDS, "seconds of audio generated");
        rejections = counter(Meters.REJECTIONS, "submissions refused: queue full");
        cancellations = counter(Meters.CANCELLATIONS, "requests cancelled");
        encodeChunks = counter(Meters.ENCODE_CHUNKS, "chunks of context audio encoded");
        encodeRejections =
                counter(Meters.ENCODE_REJECTIONS, "context encodes refused: too many pending");
        parts = counter(Meters.PARTS, "parts started (long texts are read in several)");
        longRequests = counter(Meters.LONG_REQUESTS, "requests read in more than one part");
        partsYielded =
                counter(
                        Meters.PARTS_YIELDED,
                        "slots long requests gave to waiting jobs between parts");
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** Registers the queue depth gauge, read from {@code depth} at scrape time. */
    public void bindQueueDepth(Supplier<Number> depth) {
        Gauge.builder(Meters.QUEUE_DEPTH, depth).description("jobs waiting").register(registry);
    }

    /** Registers the pending context encodes gauge, read from {@code pending} at scrape time. */
    public void bindPendingEncodes(Supplier<Number> pending) {
        Gauge.builder(Meters.ENCODES_PENDING, pending)
                .description("context encodes waiting for or running on the inference thread")
                .register(registry);
    }

    /** One chunk of context audio was encoded on the inference thread. */
    public void encodeChunk() {
        encodeChunks.increment();
    }

    /** A context encode was refused: too many were pending. */
    public void encodeRejected() {
        encodeRejections.increment();
    }

    public void activeBatch(int size) {
        activeBatch.set(size);
    }

    public void rejected() {
        rejections.increment();
    }

    /** A request to be read in {@code parts} parts was admitted: its first part started. */
    public void admitted(int parts) {
        part();
        if (parts > 1) {
            longRequests.increment();
        }
    }

    /** A later part of a long request started. */
    public void part() {
        parts.increment();
    }

    /** A long request gave its slot to waiting jobs between two parts. */
    public void partYielded() {
        partsYielded.increment();
    }

    /** Parts started so far (tests). */
    public double partCount() {
        return parts.count();
    }

    /** Slots given up between parts so far (tests). */
    public double partsYieldedCount() {
        return partsYielded.count();
    }

    public void cancelled() {
        cancellations.increment();
    }

    public void firstAudio(Duration sinceSubmit) {
        timeToFirstAudio.record(sinceSubmit);
    }

    /** One batch step produced {@code frameCount} frames in {@code nanos}. */
    public void step(int frameCount, long nanos) {
        frames.increment(frameCount);
        if (nanos > 0) {
            framesPerSecondMilli.set(Math.round(frameCount * 1e12 / nanos));
        }
    }

    /**
     * A request ended with {@code outcome}, having produced {@code audioSec} in {@code wallSec}.
     */
    public void finished(String outcome, double audioSec, double wallSec) {
        Counter.builder(Meters.REQUESTS)
                .tag(Meters.OUTCOME, outcome.toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
        if (audioSec > 0) {
            audioSeconds.increment(audioSec);
            rtf.record(wallSec / audioSec);
        }
    }

    /** An error of kind {@code type} (a problem slug or an exception's simple name). */
    public void error(String type) {
        Counter.builder(Meters.ERRORS).tag(Meters.ERROR_TYPE, type).register(registry).increment();
    }

    /** A stored context entry could not be read. */
    public void corruptContext() {
        Counter.builder(Meters.CONTEXTS_CORRUPT)
                .description("unreadable stored contexts met")
                .register(registry)
                .increment();
    }

    /** A generated turn could not be stored under its {@code save_as} id, for {@code reason}. */
    public void contextNotSaved(String reason) {
        Counter.builder(Meters.CONTEXTS_NOT_SAVED)
                .tag(Meters.REASON, reason)
                .description("generated turns save_as could not store")
                .register(registry)
                .increment();
    }

    /** Total cancellations so far (for tests and health details). */
    public double cancellationCount() {
        return cancellations.count();
    }
}
