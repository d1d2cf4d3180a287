package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.KvSlab;
import java.util.ArrayList;
import java.util.List;

/**
 * The backbone half of a batched frame step ({@link CsmModel#step}): the rows' inputs up in one
 * upload, then the backbone over them, with the requests' own caches (the CPU's default path) or
 * their slots of the model's {@link KvSlab} (CUDA-shaped).
 */
final class BackboneStep {
    private static final NDIndex LAST_ROW = new NDIndex(":, -1, :");

    private final CsmConfig config;
    private final NDManager manager;
    private final FrameEmbedder embedder;
    private final Backbone backbone;
    private final KvSlab slab; // null: each request's own caches

    /** A step input's code columns {@code [P, K]}, position and slot columns {@code [P]}. */
    private final NDIndex codeColumns;

    private final NDIndex positionColumn;
    private final NDIndex slotColumn;

    BackboneStep(
            CsmConfig config,
            NDManager manager,
            FrameEmbedder embedder,
            Backbone backbone,
            KvSlab slab) {
        this.config = config;
        this.manager = manager;
        this.embedder = embedder;
        this.backbone = backbone;
        this.slab = slab;
        this.codeColumns = new NDIndex().addAllDim().addSliceDim(0, config.numCodebooks());
        this.positionColumn = new NDIndex().addAllDim().addIndices(config.numCodebooks());
        this.slotColumn = new NDIndex().addAllDim().addIndices(config.numCodebooks() + 1);
    }

    /**
     * One backbone position for each of {@code states}, fed its last frame: the last hidden {@code
     * [F, D]}. The step's input, every row's codes, position and slab slot, goes to the device in
     * ONE upload; the embedding, RoPE rows and attention are device ops from there. The rows are
     * padded once to a batch-invariant count ({@link Backbone#batchInvariantRows}: zero codes at
     * position 0 in the scratch slot 0, dropped at the end) so no product pads its own.
     */
    NDArray run(List<GenerationState> states) {
        int n = states.size();
        int k = config.numCodebooks();
        int rows = backbone.batchInvariantRows(n);
        int w = k + 2;
        long[] input = new long[rows * w]; // [P, K+2]: codes c0..cK-1, position, slab slot
        List<KvCache[]> caches = new ArrayList<>(n);
        int[] starts = new int[n];
        for (int r = 0; r < n; r++) {
            GenerationState s = states.get(r);
            int[] frame = s.lastFrameRef();
            for (int c = 0; c < k; c++) {
                if (frame[c] < 0 || frame[c] >= config.audioVocabSize()) {
                    String bad = "audio code %d outside [0, %d)";
                    throw new IllegalArgumentException(
                            String.format(bad, frame[c], config.audioVocabSize()));
                }
                input[r * w + c] = frame[c];
            }
            input[r * w + k] = s.position();
            input[r * w + k + 1] = slab == null ? 0 : s.slot();
            caches.add(s.caches());
            starts[r] = s.position();
        }
        NDArray in = manager.create(input, new Shape(rows, w)); // [P, K+2] int64
        NDArray x = embedder.embedFrames(in.get(codeColumns)).expandDims(1); // [P, 1, D]
        NDArray positions = in.get(positionColumn); // [P]
        NDArray h =
                (slab == null
                                ? backbone.step(x, positions, caches, starts)
                                : backbone.step(
                                        x, positions, in.get(slotColumn), slab, caches, starts))
                        .get(LAST_ROW);
        return rows == n ? h : h.get(new NDIndex().addSliceDim(0, n)); // [F, D]
    }

    /**
     * The batch's last hidden {@code [B, D]}: stepped rows in order, prompt outputs where a row
     * awaits its first frame.
     */
    static NDArray withPromptRows(List<GenerationState> states, NDArray stepped) {
        NDList rows = new NDList(states.size());
        int next = 0;
        for (GenerationState s : states) {
            rows.add(
                    s.awaitsFirstFrame()
                            ? s.promptHidden()
                            : stepped.get(new NDIndex().addSliceDim(next, next + 1))); // [1, D]
            next += s.awaitsFirstFrame() ? 0 : 1;
        }
        return NDArrays.concat(rows, 0);
    }
}
