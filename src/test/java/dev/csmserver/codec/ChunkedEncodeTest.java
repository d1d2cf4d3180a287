package dev.csmserver.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.codec.MimiFixture.Source;
import dev.csmserver.golden.Fixtures;
import dev.csmserver.pipeline.DemoModel;
import dev.csmserver.weights.SafetensorsFile;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The resumable encode the inference worker runs a chunk (2.56 s) per turn gives exactly the codes
 * of one pass over the whole clip, on three codecs: a random one with an 8-step attention window
 * (exceeded many times over), the demo model's, and the golden Mimi. Two encoders are stepped in
 * turn, as the worker may when one upload is cancelled and another starts, so each must carry its
 * own state.
 */
class ChunkedEncodeTest {
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** A chirp with some noise, {@code seconds} long at 24 kHz, ending mid-frame. */
    static float[] clip(double seconds, long seed) {
        int length = (int) Math.round(seconds * 24_000) - 777;
        SplittableRandom rng = new SplittableRandom(seed);
        float[] pcm = new float[length];
        for (int i = 0; i < length; i++) {
            pcm[i] =
                    (float)
                            (0.4 * Math.sin(i * 0.013 + seed) * Math.sin(i * 0.0007)
                                    + 0.05 * (rng.nextDouble() - 0.5));
        }
        return pcm;
    }

    /** Codes of one pass over the whole clip with fresh state (no chunks at all). */
    private static int[][] oneShot(Mimi mimi, float[] pcm) {
        try (NDManager m = manager.newSubManager();
                NDScope scope = new NDScope()) {
            return mimi.quantize(mimi.latentOneShot(m, pcm));
        }
    }

    /**
     * Steps encoders of {@code a} and {@code b} in turn, a chunk each, and checks both against
     * their one-pass codes; returns the chunks {@code a} took.
     */
    private static int assertChunkedEqualsOneShot(Mimi mimi, float[] a, float[] b) {
        int[][] expectedA = oneShot(mimi, a);
        int[][] expectedB = oneShot(mimi, b);
        BaseNDManager root = (BaseNDManager) manager;
        int before = root.getManagedArrays().size();
        int steps = 0;
        try (MimiStreamEncoder ea = mimi.newStreamEncoder(manager, a);
                MimiStreamEncoder eb = mimi.newStreamEncoder(manager, b)) {
            while (!ea.isDone() || !eb.isDone()) {
                if (!ea.isDone()) {
                    ea.step();
                    steps++;
                    assertEquals(steps, ea.chunksDone());
                }
                eb.step();
            }
            assertEquals(ea.chunks(), steps);
            assertEquals((a.length + 1919) / 1920, ea.codes()[0].length);
            assertArrayEquals(
                    MimiFixture.flatten(expectedA),
                    MimiFixture.flatten(ea.codes()),
                    "clip a in chunks");
            assertArrayEquals(
                    MimiFixture.flatten(expectedB),
                    MimiFixture.flatten(eb.codes()),
                    "clip b in chunks");
        }
        assertEquals(before, root.getManagedArrays().size(), "arrays left after the encoders");
        return steps;
    }

    @Test
    void aRandomCodecWithAShortWindowEncodesInChunksExactlyAsInOnePass() {
        MimiConfig config = MimiConfig.tiny(6, 8);
        try (Mimi mimi = Mimi.create(config, RandomMimiWeights.create(config, 7), manager)) {
            int chunks = assertChunkedEqualsOneShot(mimi, clip(9.0, 1), clip(4.0, 2));
            assertEquals(4, chunks, "9 s in chunks of 2.56 s");
        }
    }

    /** 14 s: past the demo codec's 10 s attention window (250 steps at 25 Hz). */
    @Test
    void theDemoModelsCodecEncodesInChunksExactlyAsInOnePass() {
        MimiConfig config = DemoModel.mimiConfig();
        try (Mimi mimi = Mimi.create(config, DemoModel.mimiWeights(config), manager)) {
            int chunks = assertChunkedEqualsOneShot(mimi, clip(14.0, 3), clip(3.0, 4));
            assertEquals(6, chunks);
        }
    }

    /**
     * The golden Mimi on its own speech clips, joined and repeated to 12 s: the chunks equal one
     * pass, and the first 32 frames equal the reference's codes of the first clip (causality).
     */
    @Test
    void theGoldenMimiEncodesInChunksExactlyAsInOnePassAndAsTheReference() {
        JsonNode speech = null;
        for (JsonNode c : MimiFixture.cases().get("cases")) {
            speech = c.get("name").asText().equals("encode_speech") ? c : speech;
        }
        SafetensorsFile file =
                SafetensorsFile.open(Fixtures.mimi().resolve(speech.get("file").asText()));
        float[] first = file.floats(speech.get("inputs").get(0).get("tensor").asText());
        float[] long12s = new float[12 * 24_000 + 1234];
        for (int i = 0; i < long12s.length; i++) {
            long12s[i] = first[i % first.length] * (i / first.length % 2 == 0 ? 1f : -0.7f);
        }
        try (Mimi mimi =
                Mimi.load(
                        MimiFixture.checkpoint(Source.MOSHI),
                        MimiFixture.config(Source.MOSHI),
                        manager)) {
            assertChunkedEqualsOneShot(mimi, long12s, Arrays.copyOf(first, 50_000));
            int[][] codes = mimi.encode(long12s);
            long[] reference = file.longs(speech.get("expected").get(0).get("tensor").asText());
            int t = reference.length / codes.length;
            int[][] prefix = new int[codes.length][];
            for (int q = 0; q < codes.length; q++) {
                prefix[q] = Arrays.copyOf(codes[q], t);
            }
            assertArrayEquals(reference, MimiFixture.flatten(prefix), "first clip's codes");
        }
    }

    @Test
    void codesAreRefusedUntilTheLastChunkAndAnEmptyClipIsDoneAtOnce() {
        MimiConfig config = MimiConfig.tiny(6, 8);
        try (Mimi mimi = Mimi.create(config, RandomMimiWeights.create(config, 7), manager)) {
            try (MimiStreamEncoder e = mimi.newStreamEncoder(manager, clip(3.0, 5))) {
                assertFalse(e.step());
                assertThrows(IllegalStateException.class, e::codes);
                assertTrue(e.step());
                assertEquals(2, e.chunksDone());
            }
            try (MimiStreamEncoder e = mimi.newStreamEncoder(manager, new float[0])) {
                assertTrue(e.isDone());
                assertEquals(0, e.codes()[0].length);
                assertEquals(0, e.chunks());
            }
        }
    }
}
