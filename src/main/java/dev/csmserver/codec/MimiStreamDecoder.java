package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes one request's codes as they arrive, frame by frame or a few frames at a time. It carries
 * every conv tail and the decoder transformer's key/value window (the last {@code context - 1}
 * steps, not moshi's ring buffer, which drops keys the offline mask still allows), so the
 * concatenated chunks equal {@link Mimi#decode} of all the codes at once. State lives in a
 * sub-manager freed by {@link #close}; each call's temporaries are freed when it returns. {@link
 * #decodeAll} advances several streams in one batched pass ({@link Mimi#decodeRows}): one upload of
 * the codes, one download of the audio, and a number of libtorch calls that does not grow with the
 * number of streams (but for splitting each stream's conv tails back out).
 */
public final class MimiStreamDecoder implements AutoCloseable {
    private final Mimi mimi;
    private final NDManager manager;
    private final StreamState state;
    private long framesDecoded;
    private StreamGroup group; // the streams this one last decoded with, its tails kept there

    MimiStreamDecoder(Mimi mimi, NDManager parent) {
        this.mimi = mimi;
        this.manager = parent.newSubManager();
        this.state = new StreamState(manager, mimi.config());
    }

    /** The next frames' codes {@code [K][n]} → {@code n * frameSize} samples. */
    public float[] decode(int[][] codesChunk) {
        return decodeAll(List.of(this), Collections.singletonList(codesChunk)).get(0);
    }

    /**
     * Decodes the next chunk of each stream, {@code chunks.get(i)} for {@code decoders.get(i)}, and
     * returns each stream's samples: exactly what {@link #decode} would give each alone. Streams of
     * one Mimi whose chunks have the same length share one batched pass, whatever their positions
     * (a stream on its first frame included); an empty chunk gives no samples.
     */
    public static List<float[]> decodeAll(List<MimiStreamDecoder> decoders, List<int[][]> chunks) {
        if (decoders.size() != chunks.size()) {
            throw new IllegalArgumentException(
                    decoders.size() + " decoders for " + chunks.size() + " chunks");
        }
        float[][] out = new float[decoders.size()][];
        Map<List<Object>, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < decoders.size(); i++) {
            int[][] chunk = chunks.get(i);
            int frames = chunk.length == 0 ? 0 : chunk[0].length;
            if (frames == 0) {
                out[i] = new float[0];
            } else {
                groups.computeIfAbsent(
                                List.of(decoders.get(i).mimi, frames), g -> new ArrayList<>())
                        .add(i);
            }
        }
        for (List<Integer> group : groups.values()) {
            List<MimiStreamDecoder> ds = new ArrayList<>(group.size());
            List<int[][]> cs = new ArrayList<>(group.size());
            for (int i : group) {
                ds.add(decoders.get(i));
                cs.add(chunks.get(i));
            }
            List<float[]> pcm = decodeBatch(ds, (step, mimi) -> mimi.codesArray(step, cs));
            for (int r = 0; r < group.size(); r++) {
                out[group.get(r)] = pcm.get(r);
            }
        }
        return Arrays.asList(out);
    }

    /**
     * Decodes one frame of each stream from codes the model left on the device, {@code codes [B,
     * K]} int64, row r for {@code decoders.get(r)} (all of one Mimi): the codes are clamped to the
     * codebook on the device and never come to the host, so the step's only transfer is the audio
     * down. Codes below zero are taken as 0 (the model never samples them).
     */
    public static List<float[]> decodeAll(List<MimiStreamDecoder> decoders, NDArray codes) {
        if (codes.getShape().dimension() != 2 || codes.getShape().get(0) != decoders.size()) {
            throw new IllegalArgumentException(
                    "codes " + codes.getShape() + " for " + decoders.size() + " decoders");
        }
        return decodeBatch(decoders, (step, mimi) -> mimi.deviceCodes(codes));
    }

    /** How a batch's codes {@code [B, K, T]} are made in its step manager. */
    private interface Codes {
        NDArray make(NDManager step, Mimi mimi);
    }

    private static List<float[]> decodeBatch(List<MimiStreamDecoder> decoders, Codes make) {
        if (decoders.isEmpty()) {
            return List.of();
        }
        MimiStreamDecoder first = decoders.get(0);
        Mimi mimi = first.mimi;
        List<StreamState> states = new ArrayList<>(decoders.size());
        for (MimiStreamDecoder d : decoders) {
            if (d.mimi != mimi) {
                throw new IllegalArgumentException("stream decoders of different codecs");
            }
            states.add(d.state);
        }
        try (NDManager step = first.manager.newSubManager();
                NDScope scope = new NDScope()) {
            NDArray codes = make.make(step, mimi); // [B, K, T]
            int frames = (int) codes.getShape().get(2);
            float[] all =
                    mimi.decodeRows(codes, tailsOf(decoders), states)
                            .toFloatArray(); // [B, 1, n] row by row
            int n = all.length / decoders.size();
            List<float[]> out = new ArrayList<>(decoders.size());
            for (int r = 0; r < decoders.size(); r++) {
                out.add(Arrays.copyOfRange(all, r * n, (r + 1) * n));
                decoders.get(r).framesDecoded += frames;
            }
            return out;
        }
    }

    /**
     * The conv tails a batched pass of {@code decoders} runs on: one stream's own; for several, the
     * group they formed on their last call together when it is the same streams in the same order
     * (a step's usual case: nothing to stack or split), else a new group (any group one of them was
     * in ends first, handing its tails back).
     */
    private static StreamState tailsOf(List<MimiStreamDecoder> decoders) {
        MimiStreamDecoder first = decoders.get(0);
        if (first.group != null && first.group.members.equals(decoders)) {
            return first.group.state;
        }
        for (MimiStreamDecoder d : decoders) {
            if (d.group != null) {
                d.group.end();
            }
        }
        if (decoders.size() == 1) {
            return first.state;
        }
        StreamGroup g = new StreamGroup(decoders, first.manager.newSubManager());
        decoders.forEach(d -> d.group = g);
        return g.state;
    }

    /** Streams decoding together call after call, their conv tails kept stacked in one place. */
    private static final class StreamGroup {
        final List<MimiStreamDecoder> members;
        final NDManager manager;
        final StreamState state;

        StreamGroup(List<MimiStreamDecoder> members, NDManager manager) {
            this.members = List.copyOf(members);
            this.manager = manager;
            List<StreamState> rows = new ArrayList<>(members.size());
            members.forEach(d -> rows.add(d.state));
            this.state = StreamState.grouped(rows, manager);
        }

        /** Hands every stream its tails back and frees the stacked ones. */
        void end() {
            try (NDScope scope = new NDScope()) { // the split's views are kept by the streams
                state.handBack();
            }
            manager.close();
            for (MimiStreamDecoder m : members) {
                if (m.group == this) {
                    m.group = null;
                }
            }
        }
    }

    public long framesDecoded() {
        return framesDecoded;
    }

    @Override
    public void close() {
        if (group != null) {
            group.end(); // the others keep decoding from their own tails
        }
        manager.close();
    }
}
