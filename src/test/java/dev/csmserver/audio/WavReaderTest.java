package dev.csmserver.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WavReaderTest {
    private static double[][] signal(int frames, int channels) {
        double[][] s = new double[frames][channels];
        for (int f = 0; f < frames; f++) {
            for (int c = 0; c < channels; c++) {
                s[f][c] = 0.8 * Math.sin(2 * Math.PI * (440 + 110 * c) * f / 16000.0);
            }
        }
        return s;
    }

    @ParameterizedTest(name = "enc {0}, {1} bit, {2} ch, extensible {3}")
    @CsvSource({
        "1, 8, 1, false", "1, 16, 1, false", "1, 24, 1, false", "1, 32, 1, false",
        "3, 32, 1, false", "3, 64, 1, false", "1, 16, 2, false", "1, 24, 2, true",
        "3, 32, 2, true", "1, 16, 1, true", "1, 8, 2, false", "1, 32, 2, true"
    })
    void readsEverySupportedFormat(int encoding, int bits, int channels, boolean extensible) {
        double[][] s = signal(1001, channels);
        Pcm pcm = WavReader.read(WavBytes.encode(s, 16000, encoding, bits, extensible, -2));
        assertEquals(16000, pcm.sampleRateHz());
        assertEquals(1001, pcm.samples().length);
        double tol = bits == 8 ? 1.0 / 64 : 1e-4;
        for (int f = 0; f < s.length; f++) {
            double mono = Arrays.stream(s[f]).average().orElseThrow();
            assertEquals(mono, pcm.samples()[f], tol, "frame " + f);
        }
    }

    @ParameterizedTest
    @CsvSource({"-1", "0"})
    void readsStreamedFilesWithUnknownSizes(long size) {
        double[][] s = signal(500, 1);
        byte[] bytes = WavBytes.encode(s, 22050, 1, 16, false, size);
        Pcm pcm = WavReader.read(bytes);
        assertEquals(500, pcm.samples().length);
        assertEquals(22050, pcm.sampleRateHz());
    }

    @Test
    void writerOutputRoundTripsWithinOneStep() {
        float[] x = new float[2400];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.9 * Math.sin(i * 0.05));
        }
        Pcm back = WavReader.read(WavWriter.write(new Pcm(x, 24000)));
        assertEquals(24000, back.sampleRateHz());
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], back.samples()[i], 0.5 / 32768 + 1e-7);
        }
    }

    @Test
    void streamingHeaderPlusChunksReads() {
        float[] a = {0.5f, -0.25f, 2f};
        float[] b = {-3f, 0f};
        byte[] head = WavWriter.header(24000);
        byte[] ea = WavWriter.encode(a);
        byte[] eb = WavWriter.encode(b);
        ByteBuffer all = ByteBuffer.allocate(head.length + ea.length + eb.length);
        byte[] file = all.put(head).put(ea).put(eb).array();
        assertEquals(0xFFFFFFFF, ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(40));
        Pcm pcm = WavReader.read(file);
        assertArrayEquals(
                new float[] {0.5f, -0.25f, 32767 / 32768f, -1f, 0f}, pcm.samples(), 1e-6f);
    }

    @Test
    void rejectsGarbageWithClearMessages() {
        assertMessage("not a WAV file", new byte[5]);
        assertMessage("not a WAV file", "RIFF\0\0\0\0AVI LIST".getBytes());
        byte[] good = WavBytes.encode(signal(100, 1), 8000, 1, 16, false, -2);
        assertMessage("no 'fmt ' chunk", Arrays.copyOf(good, 14));
        assertMessage("corrupt WAV header: 'fmt '", Arrays.copyOf(good, 30));
        assertMessage("no 'data' chunk", Arrays.copyOf(good, 38));
        assertMessage("truncated WAV file", Arrays.copyOf(good, good.length - 10));
        assertMessage(
                "unsupported WAV encoding 0x2",
                WavBytes.encode(signal(10, 1), 8000, 2, 16, false, -2));
        assertMessage("12-bit", WavBytes.encode(signal(10, 1), 8000, 1, 16, false, -2), 34, 12);
        assertMessage("channel count 3", WavBytes.encode(signal(10, 3), 8000, 1, 16, false, -2));
        assertMessage("sample rate 0", WavBytes.encode(signal(10, 1), 0, 1, 16, false, -2));
        assertMessage(
                "float (32/64", WavBytes.encode(signal(10, 1), 8000, 3, 32, false, -2), 34, 16);
    }

    private static void assertMessage(String part, byte[] bytes, int patchAt, int value) {
        bytes[patchAt] = (byte) value;
        assertMessage(part, bytes);
    }

    private static void assertMessage(String part, byte[] bytes) {
        AudioFormatException e =
                assertThrows(AudioFormatException.class, () -> WavReader.read(bytes));
        assertTrue(
                e.getMessage().contains(part),
                () -> "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
