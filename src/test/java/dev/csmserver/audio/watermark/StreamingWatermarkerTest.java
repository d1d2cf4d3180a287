package dev.csmserver.audio.watermark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamingWatermarkerTest {
    private static List<float[]> speech;
    private static final WatermarkKey KEY = WatermarkKey.defaultKey();

    @BeforeAll
    static void speak() {
        speech = SpeechClips.generate(8, 11);
    }

    @Test
    void chunkedMarkingEqualsWholeMarkingForAnyChunking() {
        StreamingWatermarker proto = new StreamingWatermarker(KEY);
        for (float[] x : speech) {
            float[] whole = proto.newStream().mark(x);
            assertArrayEquals(whole, markInChunks(proto.newStream(), x, new int[] {1920}));
            assertArrayEquals(whole, markInChunks(proto.newStream(), x, new int[] {3840}));
            SplittableRandom r = new SplittableRandom(x.length);
            int[] sizes = new int[64];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = r.nextInt(5000);
            }
            assertArrayEquals(whole, markInChunks(proto.newStream(), x, sizes));
        }
    }

    @Test
    void markIsAtLeast30DbBelowSpeech() {
        StreamingWatermarker proto = new StreamingWatermarker(KEY);
        for (float[] x : speech) {
            double snr = Attacks.snrDb(x, proto.newStream().mark(x));
            assertTrue(snr >= 30.0, "SNR " + snr + " dB");
            assertTrue(snr < 34.0, "mark weaker than designed: " + snr + " dB");
        }
    }

    @Test
    void silenceStaysSilentAndInputIsNotModified() {
        StreamingWatermarker marker = new StreamingWatermarker(KEY);
        float[] silence = new float[24_000];
        assertArrayEquals(silence, marker.mark(silence));
        float[] x = speech.get(0).clone();
        float[] copy = x.clone();
        float[] y = marker.mark(x);
        assertArrayEquals(copy, x);
        assertEquals(x.length, y.length);
        assertEquals(silence.length + x.length, marker.position());
    }

    @Test
    void differentPayloadsGiveDifferentMarks() {
        float[] x = speech.get(1);
        float[] a = new StreamingWatermarker(KEY).mark(x);
        float[] b =
                new StreamingWatermarker(
                                WatermarkKey.fromSecret(
                                        WatermarkKey.DEFAULT_SECRET, new WatermarkPayload(1, 2)))
                        .mark(x);
        assertTrue(!Arrays.equals(a, b));
    }

    static float[] markInChunks(StreamingWatermarker marker, float[] x, int[] sizes) {
        float[] out = new float[x.length];
        int pos = 0;
        for (int i = 0; pos < x.length; i++) {
            int len = Math.min(sizes[i % sizes.length], x.length - pos);
            float[] chunk = marker.mark(Arrays.copyOfRange(x, pos, pos + len));
            System.arraycopy(chunk, 0, out, pos, len);
            pos += len;
        }
        return out;
    }
}
