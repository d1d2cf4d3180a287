package dev.csmserver.audio.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.audio.SincResampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Detection correctness on 20 espeak-ng clips: every attack of the acceptance criteria keeps the
 * mark detectable with its payload; unmarked speech, noise and music, and marks made with another
 * secret, are not detected. The scores are asserted against a floor well above the detection
 * threshold (about 6.2), so a regression in robustness fails here before the rates move.
 */
class WatermarkDetectorTest {
    private static final int CLIPS = 20;
    private static final WatermarkKey KEY = WatermarkKey.defaultKey();
    private static final WatermarkDetector DETECTOR = new WatermarkDetector(KEY);
    private static List<float[]> speech;
    private static List<float[]> marked;

    @BeforeAll
    static void markSpeech() {
        speech = SpeechClips.generate(CLIPS, 2024);
        StreamingWatermarker proto = new StreamingWatermarker(KEY);
        marked = new ArrayList<>();
        for (float[] x : speech) {
            marked.add(
                    StreamingWatermarkerTest.markInChunks(proto.newStream(), x, new int[] {1920}));
        }
    }

    @Test
    void markedSpeechIsDetectedWithItsPayloadAfterEveryAttack() {
        for (int i = 0; i < CLIPS; i++) {
            for (Map.Entry<String, UnaryOperator<float[]>> attack : Attacks.all(i).entrySet()) {
                float[] attacked = attack.getValue().apply(marked.get(i));
                WatermarkDetection d = DETECTOR.detect(attacked, 24_000);
                String what = "clip " + i + " after " + attack.getKey() + ": " + d;
                assertTrue(d.detected(), what);
                assertTrue(d.score() > 8.0, "score too close to the threshold, " + what);
                assertEquals(KEY.payload(), d.payload(), what);
                assertTrue(
                        d.falseAlarmProbability() <= WatermarkDetector.DETECTION_FALSE_ALARM, what);
            }
        }
    }

    @Test
    void detectsAtOtherSampleRates() {
        float[] y = marked.get(0);
        for (int rate : new int[] {16_000, 22_050, 44_100, 48_000}) {
            WatermarkDetection d = DETECTOR.detect(SincResampler.resample(y, 24_000, rate), rate);
            assertTrue(d.detected() && KEY.payload().equals(d.payload()), rate + " Hz: " + d);
        }
    }

    @Test
    void unmarkedSpeechNoiseAndMusicAreNotDetected() {
        List<float[]> unmarked = new ArrayList<>(speech);
        for (int i = 0; i < CLIPS; i++) {
            unmarked.add(NullSignals.noise(i, 5));
            unmarked.add(NullSignals.music(i, 5));
            unmarked.add(Attacks.mp3(speech.get(i)));
        }
        for (float[] x : unmarked) {
            WatermarkDetection d = DETECTOR.detect(x, 24_000);
            assertFalse(d.detected(), d.toString());
            assertNull(d.payload());
            assertTrue(d.score() < 6.0, d.toString());
            assertTrue(d.falseAlarmProbability() > 1e-3, d.toString());
        }
    }

    @Test
    void anotherSecretDoesNotDetectTheMark() {
        WatermarkDetector other =
                new WatermarkDetector(
                        WatermarkKey.fromSecret("a private deployment secret", KEY.payload()));
        for (float[] y : marked) {
            assertFalse(other.detect(y, 24_000).detected());
        }
    }

    @Test
    void spanCoversTheMarkedPartOfASplicedClip() {
        float[] y = marked.get(3);
        float[] silenceThenMark = new float[5 * 24_000 + y.length];
        float[] quietNoise = NullSignals.noise(0, 9);
        for (int i = 0; i < 5 * 24_000; i++) {
            silenceThenMark[i] = quietNoise[i % quietNoise.length] * 0.1f;
        }
        System.arraycopy(y, 0, silenceThenMark, 5 * 24_000, y.length);
        WatermarkDetection d = DETECTOR.detect(silenceThenMark, 24_000);
        assertTrue(d.detected(), d.toString());
        assertTrue(d.startSeconds() >= 4.5 && d.startSeconds() <= 6.0, d.toString());
        double end = 5 + y.length / 24_000.0;
        assertTrue(d.endSeconds() >= end - 1.0 && d.endSeconds() <= end + 0.01, d.toString());
    }

    @Test
    void invertedPolarityIsStillDetected() {
        WatermarkDetection d = DETECTOR.detect(Attacks.gain(marked.get(5), 0), 24_000);
        float[] inverted = marked.get(5).clone();
        for (int i = 0; i < inverted.length; i++) {
            inverted[i] = -inverted[i];
        }
        WatermarkDetection inv = DETECTOR.detect(inverted, 24_000);
        assertTrue(inv.detected() && KEY.payload().equals(inv.payload()), inv.toString());
        assertEquals(d.score(), inv.score(), 1e-6);
    }

    @Test
    void tooShortOrSilentInputIsNotDetected() {
        assertFalse(DETECTOR.detect(new float[100], 24_000).detected());
        assertFalse(DETECTOR.detect(new float[48_000], 24_000).detected());
    }
}
