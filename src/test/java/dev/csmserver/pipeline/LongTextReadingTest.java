package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.csmserver.audio.watermark.StreamingWatermarker;
import dev.csmserver.audio.watermark.WatermarkKey;
import dev.csmserver.codec.Mimi;
import dev.csmserver.codec.MimiConfig;
import dev.csmserver.codec.MimiStreamDecoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A long text on the real demo pipeline: read in parts, each with the ones before as context, into
 * ONE codec stream (no seam at a join), capped part by part, the same for the same seed whatever
 * runs beside it, its native state freed part by part.
 */
class LongTextReadingTest {
    /** Small parts with small caps: the demo model never emits its end frame. */
    private static final PartPolicy SMALL = new PartPolicy(40, 160, 20, 2);

    static final String TEXT =
            "Dr. Smith read the first chapter aloud. It was long, and the room was quiet; "
                    + "nobody moved. Then, at 3.14 past noon, e.g. just after lunch, the door "
                    + "opened… A child asked: \"Is it over?\" Not yet, she said. The story went on "
                    + "for another hour, with pauses, questions and a little laughter. 最后大家都笑了。";

    private static CsmPipeline pipeline;

    @BeforeAll
    static void load() {
        pipeline = CsmPipeline.load(PipelineOptions.demo());
        pipeline.partPolicy(SMALL);
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    static GenerationRequest request(String text, long seed) {
        return new GenerationRequest(text, 0, List.of(), 20_000, SamplingParams.seeded(seed))
                .readWhole();
    }

    /** Everything a generation handed its sink. */
    static final class Recorder implements ChunkSink {
        final List<AudioChunk> chunks = new ArrayList<>();
        FinishReason reason;
        int[][] codes;

        @Override
        public void accept(AudioChunk chunk) {
            chunks.add(chunk);
        }

        @Override
        public void finish(FinishReason reason, int[][] codes) {
            this.reason = reason;
            this.codes = codes;
        }

        float[] samples() {
            int n = chunks.stream().mapToInt(c -> c.samples().length).sum();
            float[] out = new float[n];
            int at = 0;
            for (AudioChunk c : chunks) {
                System.arraycopy(c.samples(), 0, out, at, c.samples().length);
                at += c.samples().length;
            }
            return out;
        }
    }

    @Test
    void aLongTextIsReadInPartsAsOneContinuousCodecStream() {
        GenerationRequest r = request(TEXT, 7);
        ReadingPlan plan = pipeline.plan(r);
        assertTrue(plan.size() >= 4, "parts: " + plan.size());
        Recorder rec = new Recorder();
        assertEquals(FinishReason.MAX_LENGTH, pipeline.generate(r, rec));

        int frames = rec.codes.length;
        int capSum = plan.parts().stream().mapToInt(ReadingPlan.Part::capFrames).sum();
        assertEquals(capSum, frames, "each part ran to its own cap, none to the request's");
        int next = 0;
        for (AudioChunk c : rec.chunks) {
            assertEquals(next, c.firstFrame(), "chunks continue frame after frame across parts");
            next += c.frames();
        }
        assertEquals(frames, next);
        int frameSize = pipeline.info().samplesPerFrame();
        float[] got = rec.samples();
        assertEquals(frames * frameSize, got.length);

        // The same codes through ONE fresh codec stream and ONE watermark stream: the reading is
        // exactly that stream, with no restart at a join.
        float[] expected = oneStream(rec.codes);
        assertEquals(expected.length, got.length);
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - got[i]));
        }
        assertTrue(worst < 1e-4, "largest difference from one codec stream: " + worst);

        // A decoder restarted at the first join would differ there: the test can tell.
        int join = plan.part(0).capFrames();
        float[] restarted = restartedAt(rec.codes, join);
        double atJoin = 0;
        for (int i = join * frameSize; i < (join + 2) * frameSize; i++) {
            atJoin = Math.max(atJoin, Math.abs(restarted[i] - expected[i]));
        }
        assertTrue(atJoin > 1e-3, "a restarted stream is indistinguishable: " + atJoin);
    }

    @Test
    void theSameSeedAndTextGiveTheSameReadingAloneOrBesideAnother() {
        GenerationRequest r = request(TEXT, 11);
        Recorder alone = new Recorder();
        pipeline.generate(r, alone);
        Recorder again = new Recorder();
        pipeline.generate(r, again);
        assertArrayEquals(alone.codes, again.codes);

        Recorder beside = new Recorder();
        Recorder other = new Recorder();
        try (Generation a = pipeline.start(r, beside);
                Generation b = pipeline.start(request("Someone else talks meanwhile.", 3), other)) {
            while (!a.isDone()) {
                for (Generation g : List.of(a, b)) {
                    if (g.betweenParts()) {
                        pipeline.nextPart(g);
                    }
                }
                List<Generation> batch = new ArrayList<>();
                for (Generation g : List.of(a, b)) {
                    if (!g.isDone()) {
                        batch.add(g);
                    }
                }
                pipeline.step(batch);
            }
            a.finish(a.doneReason());
        }
        assertArrayEquals(alone.codes, beside.codes, "a neighbour changed the reading");
        assertTrue(alone.codes.length > 0);

        Recorder otherSeed = new Recorder();
        pipeline.generate(request(TEXT, 12), otherSeed);
        assertTrue(
                !java.util.Arrays.deepEquals(alone.codes, otherSeed.codes),
                "another seed read the same");
    }

    @Test
    void theWholeReadingStopsAtAGivenLength() {
        GenerationRequest r =
                new GenerationRequest(TEXT, 0, List.of(), 800, SamplingParams.seeded(1));
        assertTrue(pipeline.plan(r).size() > 1);
        Recorder rec = new Recorder();
        assertEquals(FinishReason.MAX_LENGTH, pipeline.generate(r, rec));
        assertEquals(10, rec.codes.length, "800 ms are 10 frames, whatever the parts");
    }

    @Test
    void eachPartsStateIsFreedAndTheReadingLeavesNothingBehind() {
        int baseline = pipeline.liveArrayCount();
        pipeline.generate(request(TEXT, 5), new Recorder());
        assertEquals(baseline, pipeline.liveArrayCount());
    }

    private static float[] oneStream(int[][] codesFK) {
        try (NDManager m = NDManager.newBaseManager()) {
            MimiConfig mc = DemoModel.mimiConfig();
            Mimi mimi = Mimi.create(mc, DemoModel.mimiWeights(mc), m);
            try (MimiStreamDecoder d = mimi.newStreamDecoder(m)) {
                float[] pcm = d.decode(byCodebook(codesFK, 0, codesFK.length));
                return mark(pcm);
            } finally {
                mimi.close();
            }
        }
    }

    private static float[] restartedAt(int[][] codesFK, int join) {
        try (NDManager m = NDManager.newBaseManager()) {
            MimiConfig mc = DemoModel.mimiConfig();
            Mimi mimi = Mimi.create(mc, DemoModel.mimiWeights(mc), m);
            try (MimiStreamDecoder d1 = mimi.newStreamDecoder(m);
                    MimiStreamDecoder d2 = mimi.newStreamDecoder(m)) {
                float[] a = d1.decode(byCodebook(codesFK, 0, join));
                float[] b = d2.decode(byCodebook(codesFK, join, codesFK.length));
                float[] pcm = new float[a.length + b.length];
                System.arraycopy(a, 0, pcm, 0, a.length);
                System.arraycopy(b, 0, pcm, a.length, b.length);
                return mark(pcm);
            } finally {
                mimi.close();
            }
        }
    }

    private static float[] mark(float[] pcm) {
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] *= DemoModel.OUTPUT_GAIN;
        }
        return new StreamingWatermarker(WatermarkKey.defaultKey()).newStream().mark(pcm);
    }

    private static int[][] byCodebook(int[][] codesFK, int from, int to) {
        int k = codesFK[0].length;
        int[][] out = new int[k][to - from]; // [K][F]
        for (int f = from; f < to; f++) {
            for (int i = 0; i < k; i++) {
                out[i][f - from] = codesFK[f][i];
            }
        }
        return out;
    }
}
