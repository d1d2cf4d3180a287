package dev.csmserver.metrics;

/**
 * Every meter name and tag key of the service, in one place (served at {@code /q/metrics} as
 * Prometheus series: dots become underscores, timers get {@code _seconds}).
 */
public final class Meters {
    /** Gauge: jobs waiting for a batch slot. */
    public static final String QUEUE_DEPTH = "csm.queue.depth";

    /** Gauge: requests in the running batch. */
    public static final String ACTIVE_BATCH = "csm.batch.active";

    /** Counter, tagged {@link #OUTCOME}: finished requests. */
    public static final String REQUESTS = "csm.requests";

    /** Timer: submit to first audio chunk. */
    public static final String TIME_TO_FIRST_AUDIO = "csm.time.to.first.audio";

    /**
     * Distribution: wall time / audio time per finished request (below 1 is faster than real time).
     */
    public static final String RTF = "csm.rtf";

    /** Counter: frames generated (rate = frames/s). */
    public static final String FRAMES = "csm.frames";

    /** Gauge: frames per second over the last batch step. */
    public static final String FRAMES_PER_SECOND = "csm.frames.per.second";

    /** Counter: seconds of audio generated. */
    public static final String AUDIO_SECONDS = "csm.audio.generated.seconds";

    /** Counter: submissions refused because the queue was full. */
    public static final String REJECTIONS = "csm.rejections";

    /** Counter: parts started (a text that fits one part is one; a long text one per part). */
    public static final String PARTS = "csm.parts";

    /** Counter: requests whose text is read in more than one part. */
    public static final String LONG_REQUESTS = "csm.long.requests";

    /** Counter: times a long request gave its batch slot to waiting jobs between two parts. */
    public static final String PARTS_YIELDED = "csm.parts.yielded";

    /** Counter: requests cancelled (client gone, shutdown). */
    public static final String CANCELLATIONS = "csm.cancellations";

    /**
     * Counter, tagged {@link #ERROR_TYPE}: errors by kind (client problem types and internal
     * failures).
     */
    public static final String ERRORS = "csm.errors";

    /**
     * Counter: stored context entries that could not be read (skipped in a listing, or refused when
     * used).
     */
    public static final String CONTEXTS_CORRUPT = "csm.contexts.corrupt";

    /** Counter, tagged {@link #REASON}: generated turns that {@code save_as} could not store. */
    public static final String CONTEXTS_NOT_SAVED = "csm.contexts.not.saved";

    /** Gauge: context encodes handed to the inference thread and not finished. */
    public static final String ENCODES_PENDING = "csm.context.encodes.pending";

    /** Counter: chunks of context audio encoded (2.56 s each at most; one per inference turn). */
    public static final String ENCODE_CHUNKS = "csm.context.encode.chunks";

    /** Counter: context encodes refused because {@code max-pending-encodes} were waiting. */
    public static final String ENCODE_REJECTIONS = "csm.context.encode.rejections";

    /**
     * Tag key: how a request ended ({@code end_of_speech}, {@code max_length}, {@code
     * cancelled}...).
     */
    public static final String OUTCOME = "outcome";

    /** Tag key: the error kind (a problem type slug or an exception class). */
    public static final String ERROR_TYPE = "type";

    /**
     * Tag key: why a context was not saved ({@code exists}: the id was taken meanwhile; {@code
     * error}).
     */
    public static final String REASON = "reason";

    private Meters() {}
}
