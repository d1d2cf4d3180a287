package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.nn.CausalConv1d;
import dev.csmserver.nn.CausalConvTranspose1d;
import dev.csmserver.nn.Nd;
import dev.csmserver.weights.MimiCheckpoint;
import dev.csmserver.weights.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Kyutai's Mimi codec as CSM uses it (moshi 0.2.2, float32): {@link #encode} turns 24 kHz mono
 * samples into {@code K} codebooks at 12.5 Hz, {@link #decode} turns codes back into exactly {@code
 * T * frameSize} samples, and {@link #newStreamDecoder} decodes frame by frame with the same
 * result. Weights are immutable and live in this object's manager; every call runs in its own
 * scope, so encode and decode may be called from one inference thread at a time without leaking.
 */
public final class Mimi implements AutoCloseable {
    /** Frames per SEANet chunk of an offline decode (0.64 s, see {@link #ENCODE_BLOCK_FRAMES}). */
    static final int DECODE_BLOCK_FRAMES = 8;

    /**
     * Frames per chunk of an encode (0.64 s). Every layer is causal, so a chunked encode computes
     * what a one-pass encode does; chunks keep each intermediate a few MB (a 10 s clip in one pass
     * makes 60 MB arrays, and on this class of VM a fresh page costs more than the math on it).
     */
    static final int ENCODE_BLOCK_FRAMES = 8;

    /**
     * Frames the codec transformers and the quantizer take per call of an offline encode or decode
     * (2.56 s): they read all their weights on every call, so they run on several SEANet chunks at
     * once.
     */
    static final int LATENT_BLOCK_FRAMES = 32;

    private final MimiConfig config;
    private final NDManager manager;
    private final SeanetEncoder encoder;
    private final MimiTransformer encoderTransformer;
    private final CausalConv1d downsample;
    private final SplitResidualVq quantizer;
    private final CausalConvTranspose1d upsample;
    private final MimiTransformer decoderTransformer;
    private final SeanetDecoder decoder;

    private Mimi(MimiConfig config, Weights weights, NDManager manager) {
        this.config = config;
        this.manager = manager;
        CodecWeights w = new CodecWeights(weights, manager);
        long d = config.dimension();
        int stride = config.frameRateStride();
        encoder = new SeanetEncoder(config, w);
        encoderTransformer = new MimiTransformer(config, w, "encoder_transformer", false);
        downsample = w.conv("downsample", d, d, 2L * stride, stride, 1, false, true);
        quantizer = new SplitResidualVq(config, w);
        // moshi upsample_channel_wise_bug=True: the transposed conv is depthwise (groups =
        // dimension)
        upsample = w.convTranspose("upsample", d, d, 2L * stride, stride, (int) d, false);
        decoderTransformer = new MimiTransformer(config, w, "decoder_transformer", true);
        decoder = new SeanetDecoder(config, w);
    }

    /** Builds the codec from canonical weights in a new sub-manager of {@code parent}. */
    public static Mimi create(MimiConfig config, Weights weights, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            return new Mimi(config, weights, m);
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    /** Opens a checkpoint in either layout ({@code weights.MimiLayout}) and builds the codec. */
    public static Mimi load(Path checkpoint, MimiConfig config, NDManager parent) {
        return create(config, MimiCheckpoint.open(checkpoint, config.numHeads()).weights(), parent);
    }

    public MimiConfig config() {
        return config;
    }

    /**
     * 24 kHz mono samples → codes {@code [K][ceil(L / frameSize)]}, through a {@link
     * MimiStreamEncoder} run to the end.
     */
    public int[][] encode(float[] pcm24k) {
        try (MimiStreamEncoder encoder = newStreamEncoder(manager, pcm24k)) {
            while (!encoder.step()) {
                // one chunk per call
            }
            return encoder.codes();
        }
    }

    /**
     * An encoder of {@code pcm24k} that encodes one chunk per {@link MimiStreamEncoder#step}, its
     * state in a sub-manager of {@code parent}.
     */
    public MimiStreamEncoder newStreamEncoder(NDManager parent, float[] pcm24k) {
        return new MimiStreamEncoder(this, pcm24k, parent);
    }

    /** The unquantised 12.5 Hz latent {@code [1, D, T]} (the quantizer input), in {@code m}. */
    NDArray latent(NDManager m, float[] pcm24k) {
        List<NDArray> parts = new ArrayList<>();
        try (MimiStreamEncoder encoder = newStreamEncoder(m, pcm24k)) {
            while (!encoder.isDone()) {
                try (NDScope scope = new NDScope()) {
                    parts.add(Nd.keep(encoder.nextLatent(m), m));
                }
            }
        }
        return NDArrays.concat(new NDList(parts), 2);
    }

    /**
     * The latent of the whole signal in one pass with fresh state (the reference for the chunking
     * tests).
     */
    NDArray latentOneShot(NDManager m, float[] pcm24k) {
        NDArray x = m.create(pcm24k, new Shape(1, 1, pcm24k.length)); // [1, 1, L]
        NDArray h = encoder.forward(x); // [1, D, T25]
        h = encoderTransformer.forward(h, new TransformerState(null, config));
        return downsample.forward(h); // [1, D, T]
    }

    /** Codes of a latent {@code [1, D, T]}, as {@link #encode} quantises each chunk. */
    int[][] quantize(NDArray latent) {
        NDArray codes = quantizer.encode(latent); // [K, T]
        long[] flat = codes.toLongArray();
        int t = (int) codes.getShape().get(1);
        int[][] out = new int[config.numCodebooks()][t];
        for (int q = 0; q < out.length; q++) {
            for (int i = 0; i < t; i++) {
                out[q][i] = (int) flat[q * t + i];
            }
        }
        return out;
    }

    /**
     * The latent {@code [1, D, t]} of samples {@code [from, to)}, the next ones after those that
     * went through {@code state}: the SEANet encoder over {@value #ENCODE_BLOCK_FRAMES}-frame
     * pieces, then the transformer and the downsampling over all of them; {@code end} says the clip
     * ends at {@code to} (the strided convs pad their last windows as an offline pass does).
     */
    NDArray encodeChunk(
            NDManager m, float[] pcm24k, int from, int to, boolean end, StreamState state) {
        int block = ENCODE_BLOCK_FRAMES * config.frameSize();
        NDList pieces = new NDList(); // SEANet output [1, D, n / hop] per piece, in m
        for (int at = from; at < to; at += block) {
            int upTo = Math.min(to, at + block);
            try (NDScope scope = new NDScope()) {
                state.rewind();
                NDArray x =
                        m.create(
                                Arrays.copyOfRange(pcm24k, at, upTo),
                                new Shape(1, 1, upTo - at)); // [1, 1, n]
                pieces.add(Nd.keep(encoder.step(x, state, end && upTo == to), m));
            }
        }
        NDArray h = NDArrays.concat(pieces, 2); // [1, D, steps]
        pieces.forEach(NDArray::close);
        h = encoderTransformer.forward(h, state.transformer());
        return end ? downsample.finish(h, state.nextTail()) : downsample.step(h, state.nextTail());
    }

    /**
     * Codes {@code [K][T]} → {@code T * frameSize} samples. Codes at or above the codebook size
     * (CSM can sample the 3 ids above it) are clamped to the last entry, as the CSM authors advise.
     * Long inputs go through stream states, which is exact (see {@link MimiStreamDecoder}) and
     * keeps the working set small: the transformer {@value #LATENT_BLOCK_FRAMES} frames at a time,
     * the SEANet decoder {@value #DECODE_BLOCK_FRAMES}.
     */
    public float[] decode(int[][] codes) {
        int t = checkCodes(codes);
        float[] out = new float[t * config.frameSize()];
        int stride = config.frameRateStride();
        try (NDManager m = manager.newSubManager()) {
            StreamState head = new StreamState(m, config); // upsample + transformer
            StreamState seanet = new StreamState(m, config); // its transformer window stays unused
            for (int from = 0; from < t; from += LATENT_BLOCK_FRAMES) {
                int to = Math.min(t, from + LATENT_BLOCK_FRAMES);
                try (NDScope scope = new NDScope()) {
                    head.rewind();
                    NDArray z =
                            quantizer.decode(codesArray(m, slice(codes, from, to))); // [1, D, n]
                    NDArray h =
                            decoderTransformer.forward(
                                    upsample.step(z, head.nextTail()), head.transformer());
                    for (int f = from; f < to; f += DECODE_BLOCK_FRAMES) {
                        int n = Math.min(to, f + DECODE_BLOCK_FRAMES) - f;
                        long at = (long) (f - from) * stride;
                        try (NDScope chunk = new NDScope()) {
                            seanet.rewind();
                            NDArray steps =
                                    h.get(
                                            new NDIndex()
                                                    .addAllDim()
                                                    .addAllDim()
                                                    .addSliceDim(at, at + (long) n * stride));
                            float[] pcm =
                                    decoder.step(steps, seanet)
                                            .toFloatArray(); // n * frameSize samples
                            System.arraycopy(pcm, 0, out, f * config.frameSize(), pcm.length);
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Decodes all frames in one pass with a fresh state (the reference for the streaming tests).
     */
    float[] decodeOneShot(int[][] codes) {
        int t = checkCodes(codes);
        if (t == 0) {
            return new float[0];
        }
        try (NDManager m = manager.newSubManager();
                NDScope scope = new NDScope()) {
            StreamState state = new StreamState(null, config);
            NDArray z = quantizer.decode(codesArray(m, codes)); // [1, D, T]
            NDArray up = upsample.step(z, state.nextTail()); // [1, D, 2T]
            NDArray h = decoderTransformer.forward(up, state.transformer());
            return decoder.step(h, state).toFloatArray();
        }
    }

    private static int[][] slice(int[][] codes, int from, int to) {
        int[][] out = new int[codes.length][];
        for (int q = 0; q < codes.length; q++) {
            out[q] = Arrays.copyOfRange(codes[q], from, to);
        }
        return out;
    }

    /**
     * A per-request frame-by-frame decoder whose state lives in a sub-manager of {@code parent}.
     */
    public MimiStreamDecoder newStreamDecoder(NDManager parent) {
        return new MimiStreamDecoder(this, parent);
    }

    /**
     * One streamed step of several streams at once: row r's codes {@code codes [B, K, T]} int64 (in
     * range) carrying {@code states.get(r)} → {@code [B, 1, T * frameSize]}. Every stage runs once
     * over all rows: the quantizer's lookups and products, the upsampling and the SEANet decoder
     * with the streams' conv tails stacked ({@link StreamState#stacked}), the decoder transformer
     * with each layer's attention of every stream over its own window and positions in one scripted
     * call. A stream on its first call joins with zero tails and an empty window, which is what its
     * first call computes alone. Each row is what this gives the stream alone.
     */
    NDArray decodeRows(NDArray codes, List<StreamState> states) {
        return decodeRows(codes, StreamState.stacked(states), states);
    }

    /**
     * As {@link #decodeRows(NDArray, List)} with the streams' conv tails carried by {@code rows}
     * (their stacked or grouped state, {@link StreamState#grouped}).
     */
    NDArray decodeRows(NDArray codes, StreamState rows, List<StreamState> states) {
        rows.rewind();
        NDArray z = quantizer.decodeRows(codes); // [B, D, T]
        NDArray up = upsample.step(z, rows.nextTail()); // [B, D, 2T]
        List<TransformerState> windows = new ArrayList<>(states.size());
        for (StreamState s : states) {
            windows.add(s.transformer());
        }
        NDArray h = decoderTransformer.forwardRows(up, windows);
        return decoder.step(h, rows);
    }

    /**
     * Codes the model left on the device, {@code [B, K]} or {@code [B, K, T]} int64, clamped to the
     * codebook there (no round trip) → {@code [B, K, T]}.
     */
    NDArray deviceCodes(NDArray codes) {
        long k = codes.getShape().get(1);
        if (k != config.numCodebooks()) {
            throw new IllegalArgumentException(
                    "expected " + config.numCodebooks() + " codebooks, got " + k);
        }
        return MimiStepScript.clampCodes(codes, quantizer.bins());
    }

    /** Each chunk {@code [K][T]} (the same T) as one int64 array {@code [B, K, T]}, clamped. */
    NDArray codesArray(NDManager m, List<int[][]> chunks) {
        int t = checkCodes(chunks.get(0));
        int k = config.numCodebooks();
        long[] flat = new long[chunks.size() * k * t];
        for (int r = 0; r < chunks.size(); r++) {
            int[][] codes = chunks.get(r);
            if (checkCodes(codes) != t) {
                throw new IllegalArgumentException("chunks of different lengths in one batch");
            }
            for (int q = 0; q < k; q++) {
                for (int i = 0; i < t; i++) {
                    int c = codes[q][i];
                    if (c < 0) {
                        throw new IllegalArgumentException(
                                "negative code " + c + " in codebook " + q + " at frame " + i);
                    }
                    flat[(r * k + q) * t + i] = Math.min(c, quantizer.bins() - 1);
                }
            }
        }
        return m.create(flat, new Shape(chunks.size(), k, t));
    }

    /** Codes {@code [K][T]} as an int64 array {@code [K, T]}, clamped to the codebook. */
    NDArray codesArray(NDManager m, int[][] codes) {
        return codesArray(m, Collections.singletonList(codes))
                .reshape(codes.length, codes[0].length);
    }

    private int checkCodes(int[][] codes) {
        if (codes.length != config.numCodebooks()) {
            throw new IllegalArgumentException(
                    "expected " + config.numCodebooks() + " codebooks, got " + codes.length);
        }
        int t = codes[0].length;
        for (int[] row : codes) {
            if (row.length != t) {
                throw new IllegalArgumentException("codebooks have different frame counts");
            }
        }
        return t;
    }

    /** Frees the weights. */
    @Override
    public void close() {
        manager.close();
    }
}
