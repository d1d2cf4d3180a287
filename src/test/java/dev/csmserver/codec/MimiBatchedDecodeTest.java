package dev.csmserver.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.golden.GoldenAssert;
import dev.csmserver.nn.ComputePath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Streams at different points decoded in one batched pass, through both compute paths, on a random
 * Mimi whose attention window is 8 steps (4 frames): one stream on its very first frame, one two
 * frames in, one long past its window. Each stream's samples must be what it gives decoded alone
 * (bit for bit on the CPU default path, to float rounding on the CUDA-shaped one, which convolves
 * all rows at once), and its whole output what the offline decode gives; codes left on the device
 * decode as the same codes from the host do; nothing is left behind.
 */
class MimiBatchedDecodeTest {
    private static final int CONTEXT = 8;
    private static final int FRAMES = 16;
    private static final int[] AHEAD = {0, 2, 10}; // frames each stream decodes alone first
    private static final int TOGETHER = 4; // then this many frames together from host codes

    @ParameterizedTest
    @EnumSource(ComputePath.class)
    void streamsAtDifferentPositionsDecodeTogetherAsEachAlone(ComputePath path) {
        withMimi(path, (mimi, manager, config) -> check(mimi, manager, config, path));
    }

    private static void check(Mimi mimi, NDManager manager, MimiConfig config, ComputePath path) {
        int n = AHEAD.length;
        int[][][] codes = new int[n][][];
        for (int s = 0; s < n; s++) {
            codes[s] = MimiStreamingTest.randomCodes(config, FRAMES, 40 + s);
        }
        // above the codebook (CSM samples 3 such ids): clamped, from the host and from the device
        codes[1][2][AHEAD[1] + 1] = config.codebookSize() + 2;
        codes[0][1][TOGETHER + 1] = config.codebookSize() + 1;
        BaseNDManager root = (BaseNDManager) manager;
        int before = root.getManagedArrays().size();
        float[][] together = new float[n][0];
        int[] at = new int[n];
        List<MimiStreamDecoder> decoders = new ArrayList<>();
        try {
            for (int s = 0; s < n; s++) {
                decoders.add(mimi.newStreamDecoder(manager));
                for (; at[s] < AHEAD[s]; at[s]++) {
                    together[s] =
                            concat(together[s], decoders.get(s).decode(frame(codes[s], at[s])));
                }
            }
            for (int f = 0; f < TOGETHER; f++) {
                List<int[][]> chunks = new ArrayList<>();
                for (int s = 0; s < n; s++) {
                    chunks.add(frame(codes[s], at[s]++));
                }
                List<float[]> pcm = MimiStreamDecoder.decodeAll(decoders, chunks);
                for (int s = 0; s < n; s++) {
                    together[s] = concat(together[s], pcm.get(s));
                }
            }
            // the rest from codes as the model step leaves them: [B, K] int64 on the device
            while (at[0] < FRAMES - AHEAD[2]) {
                long[] flat = new long[n * config.numCodebooks()];
                for (int s = 0; s < n; s++) {
                    for (int q = 0; q < config.numCodebooks(); q++) {
                        flat[s * config.numCodebooks() + q] = codes[s][q][at[s]];
                    }
                    at[s]++;
                }
                try (NDManager step = manager.newSubManager()) {
                    NDArray device = step.create(flat, new Shape(n, config.numCodebooks()));
                    List<float[]> pcm = MimiStreamDecoder.decodeAll(decoders, device);
                    for (int s = 0; s < n; s++) {
                        together[s] = concat(together[s], pcm.get(s));
                    }
                }
            }
            for (int s = 0; s < n; s++) {
                int[][] mine = MimiGoldenTest.slice(codes[s], 0, at[s]);
                assertAsAlone(path, alone(mimi, manager, mine), together[s], "stream " + s);
                assertEquals(at[s], decoders.get(s).framesDecoded());
                GoldenAssert.assertClose(
                        "stream " + s + " vs offline", mimi.decode(mine), together[s], 1e-4);
            }
        } finally {
            decoders.forEach(MimiStreamDecoder::close);
        }
        assertEquals(
                before, root.getManagedArrays().size(), "arrays held after the streams closed");
    }

    /** A stream decoded alone, frame by frame. */
    private static float[] alone(Mimi mimi, NDManager manager, int[][] codes) {
        float[] out = new float[0];
        try (MimiStreamDecoder d = mimi.newStreamDecoder(manager)) {
            for (int f = 0; f < codes[0].length; f++) {
                out = concat(out, d.decode(frame(codes, f)));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(ComputePath.class)
    void deviceCodesOfTheWrongShapeAreRefused(ComputePath path) {
        withMimi(
                path,
                (mimi, manager, config) -> {
                    try (MimiStreamDecoder d = mimi.newStreamDecoder(manager)) {
                        NDArray twoRows = manager.zeros(new Shape(2, 6), DataType.INT64);
                        assertThrows(
                                IllegalArgumentException.class,
                                () -> MimiStreamDecoder.decodeAll(List.of(d), twoRows));
                        NDArray fiveBooks = manager.zeros(new Shape(1, 5), DataType.INT64);
                        assertThrows(
                                IllegalArgumentException.class,
                                () -> MimiStreamDecoder.decodeAll(List.of(d), fiveBooks));
                        assertEquals(0, d.framesDecoded());
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(ComputePath.class)
    void streamsJoiningLeavingAndClosingBetweenStepsEachStayAsAlone(ComputePath path) {
        withMimi(
                path,
                (mimi, manager, config) -> {
                    BaseNDManager root = (BaseNDManager) manager;
                    int before = root.getManagedArrays().size();
                    int n = 3;
                    int[][][] codes = new int[n][][];
                    for (int s = 0; s < n; s++) {
                        codes[s] = MimiStreamingTest.randomCodes(config, FRAMES, 60 + s);
                    }
                    List<MimiStreamDecoder> d = new ArrayList<>();
                    for (int s = 0; s < n; s++) {
                        d.add(mimi.newStreamDecoder(manager));
                    }
                    float[][] got = new float[n][0];
                    int[] at = new int[n];
                    // which streams decode together, step by step: a pair, a third joins on its
                    // first
                    // frame, one decodes alone while the others go on as a pair, the pair again
                    int[][] steps = {
                        {0, 1}, {0, 1}, {0, 1, 2}, {0, 1, 2}, {1}, {0, 2}, {0, 2}, {1, 0}
                    };
                    try {
                        for (int[] batch : steps) {
                            List<MimiStreamDecoder> ds = new ArrayList<>();
                            List<int[][]> chunks = new ArrayList<>();
                            for (int s : batch) {
                                ds.add(d.get(s));
                                chunks.add(frame(codes[s], at[s]++));
                            }
                            List<float[]> pcm = MimiStreamDecoder.decodeAll(ds, chunks);
                            for (int i = 0; i < batch.length; i++) {
                                got[batch[i]] = concat(got[batch[i]], pcm.get(i));
                            }
                        }
                        d.get(0).close(); // leaves its last partners to go on alone
                        for (int s = 1; s < n; s++) {
                            got[s] = concat(got[s], d.get(s).decode(frame(codes[s], at[s]++)));
                        }
                        for (int s = 0; s < n; s++) {
                            int[][] mine = MimiGoldenTest.slice(codes[s], 0, at[s]);
                            assertAsAlone(path, alone(mimi, manager, mine), got[s], "stream " + s);
                        }
                    } finally {
                        d.forEach(MimiStreamDecoder::close);
                    }
                    assertEquals(
                            before,
                            root.getManagedArrays().size(),
                            "arrays held after the streams closed");
                });
    }

    /**
     * On the CPU default path a stream's samples in a batch are bit for bit its solo ones (conv1d
     * per row); the CUDA-shaped path convolves all rows at once, where the kernels' blocking over
     * the batch may move the last bits: float rounding, far below anything audible.
     */
    private static void assertAsAlone(
            ComputePath path, float[] alone, float[] together, String what) {
        if (path == ComputePath.CPU_DEFAULT) {
            assertArrayEquals(alone, together, what);
        } else {
            GoldenAssert.assertClose(what + " vs alone", alone, together, 1e-5); // -100 dBFS
        }
    }

    /** A random tiny Mimi on {@code path}, for {@code body}, freed after it. */
    private static void withMimi(ComputePath path, MimiBody body) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ComputePath.mark(manager, path);
            MimiConfig config = MimiConfig.tiny(6, CONTEXT);
            try (Mimi mimi = Mimi.create(config, RandomMimiWeights.create(config, 7), manager)) {
                body.run(mimi, manager, config);
            }
        }
    }

    private interface MimiBody {
        void run(Mimi mimi, NDManager manager, MimiConfig config);
    }

    private static int[][] frame(int[][] codes, int f) {
        return MimiGoldenTest.slice(codes, f, f + 1);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
