package dev.csmserver.pipeline;

import dev.csmserver.audio.watermark.StreamingWatermarker;
import dev.csmserver.codec.MimiStreamDecoder;
import java.util.ArrayList;
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
    private final float outputGain;
    private int emitted;
    private boolean finished;

    ActiveGeneration(
            Generation generation,
            MimiStreamDecoder decoder,
            StreamingWatermarker watermark,
            ChunkSink sink,
            int codebookSize,
            int sampleRateHz,
            float outputGain) {
        this.generation = generation;
        this.decoder = decoder;
        this.watermark = watermark;
        this.sink = sink;
        this.codebookSize = codebookSize;
        this.sampleRateHz = sampleRateHz;
        this.outputGain = outputGain;
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

    /**
     * Decodes and watermarks the frames generated since the last call and hands them to the sink.
     */
    void emitNewFrames() {
        int[][] codes = pendingCodes();
        if (codes != null) {
            emit(codes, decoder.decode(codes));
        }
    }

    /**
     * Decodes, watermarks and sends the new frames of every generation in {@code batch}; streams at
     * the same point share one batched Mimi pass (each gets exactly its solo samples).
     */
    static void emitNewFrames(List<ActiveGeneration> batch) {
        List<ActiveGeneration> pending = new ArrayList<>(batch.size());
        List<MimiStreamDecoder> decoders = new ArrayList<>(batch.size());
        List<int[][]> chunks = new ArrayList<>(batch.size());
        for (ActiveGeneration a : batch) {
            int[][] codes = a.pendingCodes();
            if (codes != null) {
                pending.add(a);
                decoders.add(a.decoder);
                chunks.add(codes);
            }
        }
        List<float[]> pcm = MimiStreamDecoder.decodeAll(decoders, chunks);
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).emit(chunks.get(i), pcm.get(i));
        }
    }

    /**
     * The frames generated since the last emission as codec codes {@code [K][n]}, or null when
     * none.
     */
    private int[][] pendingCodes() {
        List<int[]> all = generation.frames();
        int n = all.size() - emitted;
        if (n <= 0) {
            return null;
        }
        int k = all.get(emitted).length;
        int[][] codes = new int[k][n]; // [K][n] codec codes, CSM's ids above the codebook clamped
        for (int f = 0; f < n; f++) {
            int[] frame = CsmGenerator.clampForCodec(all.get(emitted + f), codebookSize);
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

    /**
     * Ends the generation (if still running) and tells the sink, once; the worker then calls {@link
     * #close()}.
     */
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
