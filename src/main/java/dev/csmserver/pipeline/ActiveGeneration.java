package dev.csmserver.pipeline;

import dev.csmserver.audio.watermark.StreamingWatermarker;
import dev.csmserver.codec.MimiStreamDecoder;
import java.util.List;

/**
 * One request admitted into the running batch: the engine's {@link Generation} (KV caches), its
 * Mimi stream decoder and its watermark stream, each in its own native sub-manager, all freed by
 * {@link #close()}. New frames are decoded, watermarked and handed to the sink as they come. Only
 * the inference thread touches it.
 */
public final class ActiveGeneration implements AutoCloseable {
    private final Generation generation;
    private final MimiStreamDecoder decoder;
    private final StreamingWatermarker watermark;
    private final ChunkSink sink;
    private final int codebookSize;
    private final int sampleRateHz;
    private int emitted;
    private boolean finished;

    ActiveGeneration(Generation generation, MimiStreamDecoder decoder, StreamingWatermarker watermark,
            ChunkSink sink, int codebookSize, int sampleRateHz) {
        this.generation = generation;
        this.decoder = decoder;
        this.watermark = watermark;
        this.sink = sink;
        this.codebookSize = codebookSize;
        this.sampleRateHz = sampleRateHz;
    }

    Generation generation() {
        return generation;
    }

    /** True once the model ended the turn or the length cap was reached. */
    public boolean isDone() {
        return generation.isFinished();
    }

    /** Why it ended, or null while it runs. */
    public FinishReason doneReason() {
        return generation.finishReason();
    }

    public int frames() {
        return generation.frameCount();
    }

    /** Decodes and watermarks the frames generated since the last call and hands them to the sink. */
    void emitNewFrames() {
        List<int[]> all = generation.frames();
        int n = all.size() - emitted;
        if (n <= 0) {
            return;
        }
        int k = all.get(emitted).length;
        int[][] codes = new int[k][n]; // [K][n] codec codes, CSM's ids above the codebook clamped
        for (int f = 0; f < n; f++) {
            int[] frame = CsmGenerator.clampForCodec(all.get(emitted + f), codebookSize);
            for (int i = 0; i < k; i++) {
                codes[i][f] = frame[i];
            }
        }
        float[] pcm = decoder.decode(codes);
        float[] marked = watermark.mark(pcm);
        sink.accept(new AudioChunk(marked, sampleRateHz, emitted, n));
        emitted += n;
    }

    /** The generated codes, {@code [F][K]} in the codec's range (what a stored context holds). */
    public int[][] codes() {
        List<int[]> all = generation.frames();
        int[][] out = new int[all.size()][];
        for (int f = 0; f < out.length; f++) {
            out[f] = CsmGenerator.clampForCodec(all.get(f), codebookSize);
        }
        return out;
    }

    /** Ends the generation (if still running) and tells the sink, once; the worker then calls {@link #close()}. */
    public void finish(FinishReason reason) {
        if (finished) {
            return;
        }
        finished = true;
        generation.finish(reason);
        sink.finish(generation.finishReason(), codes());
    }

    @Override
    public void close() {
        try {
            generation.close();
        } finally {
            decoder.close();
        }
    }
}
