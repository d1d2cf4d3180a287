package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.audio.Pcm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CsmPipeline#encode} runs on the inference thread, so it takes audio already at the codec's
 * rate: resampling a client's clip (any rate, any length) there would stall every running stream.
 * Callers resample first, on their own thread.
 */
class ContextEncodeTest {
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
    void encodeTakesAudioAtTheCodecRate() {
        int rate = pipeline.info().sampleRateHz();
        int[][] codes = pipeline.encode(new Pcm(new float[rate / 2], rate));
        assertEquals(pipeline.info().numCodebooks(), codes.length);
        assertTrue(codes[0].length > 0);
    }

    @Test
    void encodeRefusesAudioAtAnyOtherRateInsteadOfResamplingOnTheInferenceThread() {
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> pipeline.encode(new Pcm(new float[24001], 24001)));
        assertTrue(e.getMessage().contains("resampled"), e.getMessage());
    }
}
