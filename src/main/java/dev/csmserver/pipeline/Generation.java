package dev.csmserver.pipeline;

import ai.djl.ndarray.NDArray;
import dev.csmserver.audio.watermark.StreamingWatermarker;
import dev.csmserver.codec.MimiStreamDecoder;
import dev.csmserver.model.GenerationState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One request from admission to its end, the pipeline's only per-request state: the model's {@link
 * GenerationState} (KV caches, position, sampler) of the part it reads now, that part's raw frames
 * and why it ended, the parts read before, and its audio path (Mimi stream decoder and watermark
 * stream, each in its own native sub-manager, and the sink), all freed by {@link #close()}. New
 * frames are decoded, watermarked and handed to the sink as they come. A generation made by {@link
 * CsmGenerator#start} has no audio path: it keeps codes only (tests, the codes CLI).
 *
 * <p>A text read in parts ({@link ReadingPlan}) keeps ONE decoder and ONE watermark stream for all
 * of them: the next part's frames simply continue the codec's stream, so the audio has no seam at a
 * join and the sink sees one stream. Between two parts it is {@link #betweenParts()}; {@link
 * CsmGenerator#nextPart} starts the next one. Only the inference thread touches it.
 */
public final class Generation implements AutoCloseable {
    private final GenerationRequest request;
    private final ReadingPlan plan;
    private int part;

    /** The parts read before this one, as context segments (codes in the codec's range). */
    private final List<Segment> spoken = new ArrayList<>();

    /** The codes of the parts before this one, {@code [F][K]} in the codec's range. */
    private final List<int[]> earlierCodes = new ArrayList<>();

    /** The model's state of the part read now; null for a part that may make no frame. */
    private GenerationState state;

    private int partMaxFrames;

    /**
     * The part's frames so far, {@code [F][K]} raw codes as the model produced them (values may
     * exceed the codec's codebook, see {@link CsmGenerator#clampForCodec}).
     */
    private final List<int[]> frames = new ArrayList<>();

    /** Why the part read now ended, or null while it runs. */
    private FinishReason partEnd;

    /** The audio path; null (all three) for a codes-only generation. */
    private final MimiStreamDecoder decoder;

    private final StreamingWatermarker watermark;
    private final ChunkSink sink;
    private final int codebookSize;
    private final int sampleRateHz;
    private final float outputGain;

    /** Frames of the current part already sent; frames of earlier parts are all sent. */
    private int emitted;

    private boolean finished;

    /**
     * A generation reading {@code plan}'s first part with {@code state} (prefilled; null when the
     * part may make no frame), for up to {@code maxFrames} frames. {@code decoder} null: codes
     * only, no audio (then {@code watermark} and {@code sink} are unused).
     */
    Generation(
            GenerationRequest request,
            ReadingPlan plan,
            GenerationState state,
            int maxFrames,
            MimiStreamDecoder decoder,
            StreamingWatermarker watermark,
            ChunkSink sink,
            int codebookSize,
            int sampleRateHz,
            float outputGain) {
        this.request = request;
        this.plan = plan;
        this.decoder = decoder;
        this.watermark = watermark;
        this.sink = sink;
        this.codebookSize = codebookSize;
        this.sampleRateHz = sampleRateHz;
        this.outputGain = outputGain;
        startPart(state, maxFrames);
    }

    private void startPart(GenerationState next, int maxFrames) {
        state = next;
        partMaxFrames = maxFrames;
        frames.clear();
        emitted = 0;
        partEnd = maxFrames == 0 ? FinishReason.MAX_LENGTH : null;
    }

    /** The model's state of the part read now, for a batched step; null once the part ended. */
    GenerationState stepState() {
        return partEnd == null ? state : null;
    }

    /** Records a frame of the part read now: the all-zero frame ends the part and is not kept. */
    void accept(int[] frame) {
        boolean allZero = true;
        for (int c : frame) {
            allZero &= c == 0;
        }
        if (allZero) {
            partEnd = FinishReason.END_OF_SPEECH;
            return;
        }
        frames.add(frame);
        if (frames.size() >= partMaxFrames) {
            partEnd = FinishReason.MAX_LENGTH;
        }
    }

    /** True once the last part ended (end frame or its cap) or the whole reading's cap was hit. */
    public boolean isDone() {
        return partEnd != null && !betweenParts();
    }

    /**
     * True when a part ended by itself (its end frame or its own cap) and another part is to be
     * read, with audio left in the whole reading's cap.
     */
    public boolean betweenParts() {
        return (partEnd == FinishReason.END_OF_SPEECH || partEnd == FinishReason.MAX_LENGTH)
                && part + 1 < plan.size()
                && frameCount() < plan.wholeFrames();
    }

    /** Why it ended, or null while it runs (or between two parts). */
    public FinishReason doneReason() {
        if (!isDone()) {
            return null;
        }
        boolean cutShort =
                part + 1 < plan.size()
                        && (partEnd == FinishReason.END_OF_SPEECH
                                || partEnd == FinishReason.MAX_LENGTH);
        return cutShort ? FinishReason.MAX_LENGTH : partEnd; // parts left: the whole cap cut it
    }

    /** Frames generated so far, all parts together. */
    public int frameCount() {
        return earlierCodes.size() + frames.size();
    }

    /** The raw frames {@code [F][K]} of the part read now (of the whole request, for one part). */
    public List<int[]> partFrames() {
        return Collections.unmodifiableList(frames);
    }

    /** How many parts the text is read in (1 for a text that fits one). */
    public int partCount() {
        return plan.size();
    }

    /** The index of the part read now (or just ended). */
    public int part() {
        return part;
    }

    /** The request of the next part, to start when {@link #betweenParts()}. */
    GenerationRequest nextPartRequest(ReadingPlanner planner, PartPolicy policy) {
        return planner.partRequest(request, plan, policy, part + 1, spoken, frameCount());
    }

    /**
     * Moves on to the next part, read with {@code next} (prefilled) for up to {@code maxFrames}:
     * the ended part becomes context for those after it and its model state is freed; decoder and
     * watermark go on.
     */
    void beginPart(GenerationState next, int maxFrames) {
        int[][] codes = codes(frames); // [F][K]
        int k = codes.length == 0 ? 0 : codes[0].length;
        int[][] byCodebook = new int[k][codes.length]; // [K][F], as a context segment holds them
        for (int f = 0; f < codes.length; f++) {
            for (int i = 0; i < k; i++) {
                byCodebook[i][f] = codes[f][i];
            }
        }
        // A part that made no audio (its end frame first) is no context to speak after.
        spoken.add(new Segment(request.speaker(), plan.part(part).text(), byCodebook));
        earlierCodes.addAll(List.of(codes));
        closeState();
        part++;
        startPart(next, maxFrames);
    }

    /**
     * Decodes, watermarks and sends the new frames of every generation in {@code batch} that has an
     * audio path; streams at the same point share one batched Mimi pass (each gets exactly its solo
     * samples).
     */
    static void emitNewFrames(List<Generation> batch) {
        emitNewFrames(batch, null);
    }

    /**
     * As {@link #emitNewFrames(List)}, where {@code stepCodes [B, K]} int64 are the codes the step
     * just made for {@code batch}, still on the model's device: when every generation of the batch
     * has exactly that one new frame to decode (a step's usual case), the codec takes them there
     * and the step's only codec transfer is the audio down. Otherwise (a row ended on its end
     * frame, has no decoder, or holds older frames) the codes go up from the host.
     */
    static void emitNewFrames(List<Generation> batch, NDArray stepCodes) {
        if (stepCodes != null && everyRowHasOneNewFrame(batch)) {
            List<MimiStreamDecoder> decoders = new ArrayList<>(batch.size());
            List<int[][]> chunks = new ArrayList<>(batch.size());
            for (Generation g : batch) {
                decoders.add(g.decoder);
                chunks.add(g.pendingCodes());
            }
            List<float[]> pcm = MimiStreamDecoder.decodeAll(decoders, stepCodes);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).emit(chunks.get(i), pcm.get(i));
            }
            return;
        }
        List<Generation> pending = new ArrayList<>(batch.size());
        List<MimiStreamDecoder> decoders = new ArrayList<>(batch.size());
        List<int[][]> chunks = new ArrayList<>(batch.size());
        for (Generation g : batch) {
            int[][] codes = g.decoder == null ? null : g.pendingCodes();
            if (codes != null) {
                pending.add(g);
                decoders.add(g.decoder);
                chunks.add(codes);
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        List<float[]> pcm = MimiStreamDecoder.decodeAll(decoders, chunks);
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).emit(chunks.get(i), pcm.get(i));
        }
    }

    private static boolean everyRowHasOneNewFrame(List<Generation> batch) {
        for (Generation g : batch) {
            if (g.decoder == null || g.frames.size() - g.emitted != 1) {
                return false;
            }
        }
        return !batch.isEmpty();
    }

    /**
     * The frames generated since the last emission as codec codes {@code [K][n]}, or null when
     * none.
     */
    private int[][] pendingCodes() {
        int n = frames.size() - emitted;
        if (n <= 0) {
            return null;
        }
        int k = frames.get(emitted).length;
        int[][] codes = new int[k][n]; // [K][n] codec codes, CSM's ids above the codebook clamped
        for (int f = 0; f < n; f++) {
            int[] frame = CsmGenerator.clampForCodec(frames.get(emitted + f), codebookSize);
            for (int i = 0; i < k; i++) {
                codes[i][f] = frame[i];
            }
        }
        return codes;
    }

    /** Gain, watermark and the sink for {@code pcm}, the decoded samples of {@code codes}. */
    private void emit(int[][] codes, float[] pcm) {
        int n = codes[0].length;
        if (outputGain != 1f) {
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] *= outputGain;
            }
        }
        float[] marked = watermark.mark(pcm);
        sink.accept(new AudioChunk(marked, sampleRateHz, earlierCodes.size() + emitted, n));
        emitted += n;
    }

    /**
     * The generated codes of the whole reading, {@code [F][K]} in the codec's range (what a stored
     * context holds).
     */
    public int[][] codes() {
        List<int[]> all = new ArrayList<>(earlierCodes);
        all.addAll(List.of(codes(frames)));
        return all.toArray(int[][]::new);
    }

    private int[][] codes(List<int[]> raw) {
        int[][] out = new int[raw.size()][];
        for (int f = 0; f < out.length; f++) {
            out[f] = CsmGenerator.clampForCodec(raw.get(f), codebookSize);
        }
        return out;
    }

    /**
     * Ends the generation (if still running) and tells the sink, once; the worker then calls {@link
     * #close()}.
     */
    public void finish(FinishReason reason) {
        if (finished) {
            return;
        }
        finished = true;
        if (partEnd == null) {
            partEnd = reason;
        }
        FinishReason why = isDone() ? doneReason() : reason;
        sink.finish(why, codes());
    }

    private void closeState() {
        if (state != null) {
            state.close();
            state = null;
        }
    }

    @Override
    public void close() {
        try {
            closeState();
        } finally {
            if (decoder != null) {
                decoder.close();
            }
        }
    }
}
