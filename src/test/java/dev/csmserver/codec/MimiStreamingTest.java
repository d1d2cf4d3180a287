package dev.csmserver.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.csmserver.golden.GoldenAssert;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Properties of decode on a random Mimi with a SHORT attention window (8 steps at 25 Hz = 4 code
 * frames), decoding 40 frames so the window is exceeded ten times over: causality, chunked
 * streaming equal to offline for several chunk sizes, and native memory flat over a long stream.
 */
class MimiStreamingTest {
    private static final int CONTEXT = 8;
    private static final int FRAMES = 40;
    private static final double TOL = 1e-4;

    private static NDManager manager;
    private static Mimi mimi;
    private static int[][] codes;
    private static float[] offline;

    @BeforeAll
    static void build() {
        manager = NDManager.newBaseManager();
        MimiConfig config = MimiConfig.tiny(6, CONTEXT);
        mimi = Mimi.create(config, RandomMimiWeights.create(config, 7), manager);
        codes = randomCodes(config, FRAMES, 11);
        offline = mimi.decodeOneShot(codes);
    }

    @AfterAll
    static void close() {
        mimi.close();
        manager.close();
    }

    static int[][] randomCodes(MimiConfig config, int frames, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] out = new int[config.numCodebooks()][frames];
        for (int[] row : out) {
            Arrays.setAll(row, i -> rng.nextInt(config.codebookSize()));
        }
        return out;
    }

    private static float[] stream(int[][] all, int chunk) {
        int frames = all[0].length;
        float[] out = new float[frames * mimi.config().frameSize()];
        try (MimiStreamDecoder s = mimi.newStreamDecoder(manager)) {
            int at = 0;
            for (int f = 0; f < frames; f += chunk) {
                float[] pcm = s.decode(MimiGoldenTest.slice(all, f, Math.min(frames, f + chunk)));
                System.arraycopy(pcm, 0, out, at, pcm.length);
                at += pcm.length;
            }
            assertEquals(out.length, at);
        }
        return out;
    }

    /**
     * Offline decode runs the transformer and SEANet in blocks (40 frames: two of each size and
     * ragged ends).
     */
    @Test
    void blockedOfflineDecodeEqualsOnePassDecode() {
        GoldenAssert.assertClose("blocked decode", offline, mimi.decode(codes), TOL);
    }

    /**
     * Encode runs in {@value Mimi#ENCODE_BLOCK_FRAMES}-frame chunks through one stream state: over
     * five chunks and a ragged end (strided convs pad their last window) its latent equals the
     * one-pass latent and its codes the one-pass codes.
     */
    @Test
    void chunkedEncodeEqualsOnePassEncode() {
        int length = (5 * Mimi.ENCODE_BLOCK_FRAMES + 3) * mimi.config().frameSize() - 777;
        SplittableRandom rng = new SplittableRandom(5);
        float[] pcm = new float[length];
        for (int i = 0; i < length; i++) {
            pcm[i] =
                    (float)
                            (0.4 * Math.sin(i * 0.013) * Math.sin(i * 0.0007)
                                    + 0.05 * (rng.nextDouble() - 0.5));
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray oneShot = mimi.latentOneShot(m, pcm);
            NDArray chunked = mimi.latent(m, pcm);
            assertEquals(oneShot.getShape(), chunked.getShape());
            GoldenAssert.assertClose(
                    "chunked latent", oneShot.toFloatArray(), chunked.toFloatArray(), TOL);
            int[][] codes = mimi.encode(pcm);
            assertEquals((length + 1919) / 1920, codes[0].length);
            assertArrayEquals(
                    MimiFixture.flatten(mimi.quantize(oneShot)), MimiFixture.flatten(codes));
        }
    }

    @Test
    void offlineOutputIsNotTrivial() {
        assertEquals(FRAMES * 1920, offline.length);
        double energy = 0;
        for (int i = offline.length - 1920; i < offline.length; i++) {
            energy += offline[i] * offline[i];
        }
        assertTrue(
                Math.sqrt(energy / 1920) > 1e-3,
                "last frame is silent: the property tests would be vacuous");
    }

    @Test
    void publicBlockedDecodeEqualsOneShot() {
        GoldenAssert.assertClose("decode in blocks", offline, mimi.decode(codes), TOL);
    }

    @ParameterizedTest(name = "chunks of {0} frames")
    @ValueSource(ints = {1, 2, 5, 3, 40})
    void streamingEqualsOfflineBeyondTheWindow(int chunk) {
        GoldenAssert.assertClose(
                "stream in chunks of " + chunk, offline, stream(codes, chunk), TOL);
    }

    @Test
    void windowMattersSoTheTestBites() {
        // With a window covering everything, late frames decode differently: the window is in play.
        MimiConfig wide = mimi.config().withContext(10_000);
        try (Mimi other = Mimi.create(wide, RandomMimiWeights.create(wide, 7), manager)) {
            float[] y = other.decodeOneShot(codes);
            double max = 0;
            for (int i = 30 * 1920; i < y.length; i++) {
                max = Math.max(max, Math.abs(y[i] - offline[i]));
            }
            assertTrue(
                    max > 1e-3,
                    "a window of "
                            + CONTEXT
                            + " vs unlimited changed nothing (max diff "
                            + max
                            + ")");
        }
    }

    @Test
    void futureCodesNeverChangePastSamples() {
        int keep = 17;
        int[][] changed = new int[codes.length][];
        SplittableRandom rng = new SplittableRandom(99);
        for (int q = 0; q < codes.length; q++) {
            changed[q] = codes[q].clone();
            for (int i = keep; i < FRAMES; i++) {
                changed[q][i] = rng.nextInt(mimi.config().codebookSize());
            }
        }
        float[] y = mimi.decodeOneShot(changed);
        int past = keep * mimi.config().frameSize();
        GoldenAssert.assertClose(
                "samples before frame " + keep,
                Arrays.copyOf(offline, past),
                Arrays.copyOf(y, past),
                1e-6);
        double after = 0;
        for (int i = past; i < y.length; i++) {
            after = Math.max(after, Math.abs(y[i] - offline[i]));
        }
        assertTrue(after > 1e-3, "changed codes did not change the future either");
    }

    /**
     * Three streams decoded together frame by frame, the third joining 3 frames late (its first
     * call alone, then batched): every stream's samples equal its solo decode exactly, and the
     * batched calls leave no arrays behind.
     */
    @Test
    void batchedStreamsEqualTheirSoloDecodesExactly() {
        BaseNDManager root = (BaseNDManager) manager;
        int before = root.getManagedArrays().size();
        int frames = 12;
        int late = 3;
        int[][][] all = {
            randomCodes(mimi.config(), frames, 21),
            randomCodes(mimi.config(), frames, 22),
            randomCodes(mimi.config(), frames - late, 23)
        };
        float[][] together = new float[3][];
        List<MimiStreamDecoder> decoders = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                decoders.add(mimi.newStreamDecoder(manager));
                together[i] = new float[0];
            }
            for (int f = 0; f < frames; f++) {
                List<MimiStreamDecoder> active = new ArrayList<>();
                List<int[][]> chunks = new ArrayList<>();
                List<Integer> which = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    int at = i == 2 ? f - late : f;
                    if (at >= 0) {
                        active.add(decoders.get(i));
                        chunks.add(MimiGoldenTest.slice(all[i], at, at + 1));
                        which.add(i);
                    }
                }
                List<float[]> pcm = MimiStreamDecoder.decodeAll(active, chunks);
                for (int j = 0; j < which.size(); j++) {
                    together[which.get(j)] = concat(together[which.get(j)], pcm.get(j));
                }
            }
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(stream(all[i], 1), together[i], "stream " + i);
                assertEquals(all[i][0].length, decoders.get(i).framesDecoded());
            }
        } finally {
            decoders.forEach(MimiStreamDecoder::close);
        }
        assertEquals(
                before, root.getManagedArrays().size(), "arrays held after the streams closed");
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void nativeMemoryStaysFlatOver500Frames() {
        BaseNDManager root = (BaseNDManager) manager;
        int before = root.getManagedArrays().size();
        int[][] many = randomCodes(mimi.config(), 500, 5);
        try (MimiStreamDecoder s = mimi.newStreamDecoder(manager)) {
            s.decode(MimiGoldenTest.slice(many, 0, 1));
            int warm = root.getManagedArrays().size();
            for (int f = 1; f < 500; f++) {
                s.decode(MimiGoldenTest.slice(many, f, f + 1));
                if (f % 100 == 0) {
                    assertEquals(
                            warm, root.getManagedArrays().size(), "arrays held after frame " + f);
                }
            }
            assertEquals(warm, root.getManagedArrays().size(), "arrays held after 500 frames");
            assertEquals(500, s.framesDecoded());
        }
        assertEquals(before, root.getManagedArrays().size(), "arrays held after the stream closed");
    }
}
