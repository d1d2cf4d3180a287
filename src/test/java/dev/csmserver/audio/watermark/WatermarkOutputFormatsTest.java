package dev.csmserver.audio.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.decode.AudioDecoders;
import dev.csmserver.audio.encode.AudioEncoder;
import dev.csmserver.audio.encode.AudioEncoders;
import dev.csmserver.audio.encode.AudioFormat;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service's path: speech is marked 80 ms chunk by 80 ms chunk and streamed through each output
 * encoder; the decoded file is detected with the right payload, and the unmarked file is not.
 */
class WatermarkOutputFormatsTest {
    private static final WatermarkKey KEY = WatermarkKey.defaultKey();
    private static final WatermarkDetector DETECTOR = new WatermarkDetector(KEY);
    private static List<float[]> speech;

    @BeforeAll
    static void speak() {
        speech = SpeechClips.generate(4, 77);
    }

    @Test
    void everyOutputFormatKeepsTheMark() {
        for (AudioFormat format : AudioFormat.values()) {
            for (float[] x : speech) {
                Pcm marked = roundTrip(format, x, new StreamingWatermarker(KEY));
                WatermarkDetection d = DETECTOR.detect(marked.samples(), marked.sampleRateHz());
                assertTrue(d.detected() && d.score() > 10, format + ": " + d);
                assertEquals(KEY.payload(), d.payload(), format + ": " + d);
                Pcm plain = roundTrip(format, x, null);
                assertFalse(
                        DETECTOR.detect(plain.samples(), plain.sampleRateHz()).detected(),
                        format.toString());
            }
        }
    }

    private static Pcm roundTrip(AudioFormat format, float[] x, StreamingWatermarker marker) {
        AudioEncoder encoder = AudioEncoders.create(format, 24_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(encoder.start());
        for (int i = 0; i < x.length; i += 1920) {
            float[] chunk = Arrays.copyOfRange(x, i, Math.min(x.length, i + 1920));
            out.writeBytes(encoder.encode(marker == null ? chunk : marker.mark(chunk)));
        }
        out.writeBytes(encoder.finish());
        byte[] bytes = out.toByteArray();
        if (format == AudioFormat.PCM) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            float[] s = new float[bytes.length / 2];
            for (int i = 0; i < s.length; i++) {
                s[i] = b.getShort() / 32768f;
            }
            return new Pcm(s, 24_000);
        }
        return AudioDecoders.decode(bytes);
    }
}
