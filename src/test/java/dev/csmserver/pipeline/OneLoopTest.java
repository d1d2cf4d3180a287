package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.pipeline.LongTextReadingTest.Recorder;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audio path ({@link CsmPipeline#generate}) and the codes-only path ({@link
 * CsmGenerator#generate}) run the same loop on the real demo pipeline: the same request gives the
 * same codes either way, and every frame of them is heard once, in order.
 */
class OneLoopTest {
    private static CsmPipeline pipeline;

    @BeforeAll
    static void load() {
        pipeline = CsmPipeline.load(PipelineOptions.demo());
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    @Test
    void theAudioPathSpeaksExactlyTheCodesOfTheCodesOnlyPath() {
        GenerationRequest r =
                new GenerationRequest(
                        "Two ways in, one loop.",
                        1,
                        List.of(),
                        960,
                        SamplingParams.seeded(42).withTemperature(0.9f).withTopK(20));
        int baseline = pipeline.liveArrayCount();
        List<int[]> raw = pipeline.generator().generate(r);
        Recorder heard = new Recorder();
        FinishReason why = pipeline.generate(r, heard);

        assertTrue(raw.size() > 0, "the request made frames");
        assertEquals(why, heard.reason, "the sink hears how it ended");
        assertEquals(raw.size(), heard.codes.length, "frames either way");
        int codebook = pipeline.info().codebookSize();
        for (int f = 0; f < raw.size(); f++) {
            assertArrayEquals(
                    CsmGenerator.clampForCodec(raw.get(f), codebook), heard.codes[f], "frame " + f);
        }
        int next = 0;
        for (AudioChunk c : heard.chunks) {
            assertEquals(next, c.firstFrame(), "chunks in order, none lost");
            next += c.frames();
        }
        assertEquals(raw.size(), next, "every frame was heard");
        assertEquals(baseline, pipeline.liveArrayCount(), "both paths freed their native state");
    }

    @Test
    void aRequestOfNoFramesEndsAtOnceOnBothPaths() {
        GenerationRequest r =
                new GenerationRequest("Nothing.", 0, List.of(), 40, SamplingParams.seeded(1));
        assertEquals(0, pipeline.generator().generate(r).size());
        Recorder heard = new Recorder();
        assertEquals(FinishReason.MAX_LENGTH, pipeline.generate(r, heard));
        assertEquals(0, heard.codes.length);
        assertTrue(heard.chunks.isEmpty());
    }
}
