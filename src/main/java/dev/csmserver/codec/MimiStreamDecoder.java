package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes one request's codes as they arrive, frame by frame or a few frames at a time. It carries
 * every conv tail and the decoder transformer's key/value window (the last {@code context - 1}
 * steps, not moshi's ring buffer, which drops keys the offline mask still allows), so the
 * concatenated chunks equal {@link Mimi#decode} of all the codes at once. State lives in a
 * sub-manager freed by {@link #close}; each call's temporaries are freed when it returns. {@link
 * #decodeAll} advances several streams in one batched pass.
 */
public final class MimiStreamDecoder implements AutoCloseable {
    private final Mimi mimi;
    private final NDManager manager;
    private final StreamState state;
    private long framesDecoded;

    MimiStreamDecoder(Mimi mimi, NDManager parent) {
        this.mimi = mimi;
        this.manager = parent.newSubManager();
        this.state = new StreamState(manager, mimi.config());
    }

    /** The next frames' codes {@code [K][n]} → {@code n * frameSize} samples. */
    public float[] decode(int[][] codesChunk) {
        if (codesChunk.length > 0 && codesChunk[0].length == 0) {
            return new float[0];
        }
        try (NDManager step = manager.newSubManager();
                NDScope scope = new NDScope()) {
            float[] out = mimi.decodeStep(mimi.codesArray(step, codesChunk), state).toFloatArray();
            framesDecoded += codesChunk[0].length;
            return out;
        }
    }

    /**
     * Decodes the next chunk of each stream, {@code chunks.get(i)} for {@code decoders.get(i)}, and
     * returns each stream's samples: exactly what {@link #decode} would give each alone. Streams of
     * one Mimi that are past their first call and get chunks of the same length share one batched
     * SEANet pass; the others are decoded one by one.
     */
    public static List<float[]> decodeAll(List<MimiStreamDecoder> decoders, List<int[][]> chunks) {
        if (decoders.size() != chunks.size()) {
            throw new IllegalArgumentException(
                    decoders.size() + " decoders for " + chunks.size() + " chunks");
        }
        float[][] out = new float[decoders.size()][];
        List<Integer> batch = new ArrayList<>();
        for (int i = 0; i < decoders.size(); i++) {
            MimiStreamDecoder d = decoders.get(i);
            int[][] chunk = chunks.get(i);
            boolean joins =
                    d.framesDecoded > 0
                            && chunk.length > 0
                            && chunk[0].length > 0
                            && (batch.isEmpty()
                                    || (d.mimi == decoders.get(batch.get(0)).mimi
                                            && chunk[0].length
                                                    == chunks.get(batch.get(0))[0].length));
            if (joins) {
                batch.add(i);
            } else {
                out[i] = d.decode(chunk);
            }
        }
        if (batch.size() == 1) {
            int i = batch.get(0);
            out[i] = decoders.get(i).decode(chunks.get(i));
        } else if (batch.size() > 1) {
            decodeBatch(decoders, chunks, batch, out);
        }
        return Arrays.asList(out);
    }

    private static void decodeBatch(
            List<MimiStreamDecoder> decoders,
            List<int[][]> chunks,
            List<Integer> batch,
            float[][] out) {
        MimiStreamDecoder first = decoders.get(batch.get(0));
        Mimi mimi = first.mimi;
        try (NDManager step = first.manager.newSubManager();
                NDScope scope = new NDScope()) {
            List<NDArray> codes = new ArrayList<>(batch.size());
            List<StreamState> states = new ArrayList<>(batch.size());
            for (int i : batch) {
                codes.add(mimi.codesArray(step, chunks.get(i)));
                states.add(decoders.get(i).state);
            }
            float[] all = mimi.decodeSteps(codes, states).toFloatArray(); // [B, 1, n] row after row
            int n = all.length / batch.size();
            for (int r = 0; r < batch.size(); r++) {
                int i = batch.get(r);
                out[i] = Arrays.copyOfRange(all, r * n, (r + 1) * n);
                decoders.get(i).framesDecoded += chunks.get(i)[0].length;
            }
        }
    }

    public long framesDecoded() {
        return framesDecoded;
    }

    @Override
    public void close() {
        manager.close();
    }
}
