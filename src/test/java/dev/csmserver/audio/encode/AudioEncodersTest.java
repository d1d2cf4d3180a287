package dev.csmserver.audio.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.audio.AudioFormatException;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.WavReader;
import dev.csmserver.audio.decode.AudioDecoders;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every encoder's stream, written chunk by chunk as the service does, reads back through its
 * decoder: bit-exact for the lossless formats, close (SNR at the best lag) for MP3 and Opus.
 */
class AudioEncodersTest {
    static final int RATE = 24_000;
    static final int CHUNK = 1920;

    /** 3 s of a vowel-like harmonic signal with a slow envelope, plus a little noise. */
    static float[] signal() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[3 * RATE + 777];
        for (int i = 0; i < x.length; i++) {
            double t = i / (double) RATE;
            double s = 0;
            for (int h = 1; h <= 12; h++) {
                s += Math.sin(2 * Math.PI * 140 * h * t + h) / h;
            }
            x[i] =
                    (float)
                            (0.25 * s * (0.6 + 0.4 * Math.sin(2 * Math.PI * 1.5 * t))
                                    + 0.003 * (r.nextDouble() - 0.5));
        }
        return x;
    }

    static byte[] encodeInChunks(AudioEncoder encoder, float[] x) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(encoder.start());
        for (int i = 0; i < x.length; i += CHUNK) {
            out.writeBytes(encoder.encode(Arrays.copyOfRange(x, i, Math.min(x.length, i + CHUNK))));
        }
        out.writeBytes(encoder.finish());
        return out.toByteArray();
    }

    /** What 16-bit quantisation leaves of {@code x}. */
    static float[] quantised(float[] x) {
        float[] q = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = Pcm16.toShort(x[i]) / 32768f;
        }
        return q;
    }

    @Test
    void formatsHaveNamesContentTypesAndExtensions() {
        for (AudioFormat f : AudioFormat.values()) {
            assertEquals(f, AudioFormat.fromName(f.lowerName()));
            assertEquals(f, AudioFormat.fromName(f.fileExtension().toUpperCase()));
            assertTrue(f.contentType().startsWith("audio/"));
            assertEquals(f, AudioEncoders.create(f, RATE).format());
        }
        assertEquals("audio/mpeg", AudioFormat.MP3.contentType());
        assertThrows(IllegalArgumentException.class, () -> AudioFormat.fromName("aac"));
        assertThrows(IllegalArgumentException.class, () -> AudioFormat.fromName(null));
    }

    @Test
    void pcmIsRawLittleEndian16Bit() {
        float[] x = signal();
        byte[] bytes = encodeInChunks(AudioEncoders.create(AudioFormat.PCM, RATE), x);
        assertEquals(2 * x.length, bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Pcm16.toShort(x[i]), b.getShort());
        }
    }

    @Test
    void streamedWavHasOneHeaderAndReadsBack() {
        float[] x = signal();
        byte[] bytes = encodeInChunks(AudioEncoders.create(AudioFormat.WAV, RATE), x);
        assertEquals(44 + 2 * x.length, bytes.length);
        Pcm pcm = WavReader.read(bytes);
        assertEquals(RATE, pcm.sampleRateHz());
        assertArrayEquals(quantised(x), pcm.samples());
    }

    @Test
    void flacIsLosslessWithAValidStreamInfo() {
        float[] x = signal();
        byte[] bytes = encodeInChunks(AudioEncoders.create(AudioFormat.FLAC, RATE), x);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertEquals(0x664C6143, b.getInt()); // "fLaC"
        int blockHeader = b.getInt();
        assertEquals(0, (blockHeader >>> 24) & 0x7F, "first metadata block is STREAMINFO");
        assertEquals(34, blockHeader & 0xFFFFFF);
        assertEquals(FlacEncoder.BLOCK_SIZE, b.getShort(8) & 0xFFFF);
        long packed = b.getLong(18); // rate(20) channels-1(3) bps-1(5) total samples(36)
        assertEquals(RATE, (int) (packed >>> 44));
        assertEquals(0, (int) (packed >>> 41) & 0x7);
        assertEquals(15, (int) (packed >>> 36) & 0x1F);
        Pcm pcm = AudioDecoders.decode(bytes);
        assertEquals(RATE, pcm.sampleRateHz());
        assertArrayEquals(quantised(x), pcm.samples());
        assertTrue(bytes.length < 2 * x.length, "FLAC should compress: " + bytes.length);
    }

    @Test
    void mp3DecodesCloseToTheInput() {
        float[] x = signal();
        byte[] bytes = encodeInChunks(AudioEncoders.create(AudioFormat.MP3, RATE), x);
        double kbps = bytes.length * 8 / (x.length / (double) RATE) / 1000;
        assertTrue(kbps > 55 && kbps < 75, "bit rate " + kbps);
        Pcm pcm = AudioDecoders.decode(bytes);
        assertEquals(RATE, pcm.sampleRateHz());
        assertTrue(pcm.samples().length >= x.length);
        assertTrue(bestLagSnrDb(x, pcm.samples(), 3000) > 15, "MP3 round trip too lossy");
    }

    @Test
    void oggOpusPagesAreWellFormedAndDecodeCloseToTheInput() {
        float[] x = signal();
        byte[] bytes = encodeInChunks(AudioEncoders.create(AudioFormat.OPUS, RATE), x);
        OggStructure.check(bytes, x.length);
        Pcm pcm = AudioDecoders.decode(bytes);
        assertEquals(48_000, pcm.sampleRateHz());
        assertEquals(2 * x.length, pcm.samples().length, "granule trims the padding exactly");
        float[] at24k = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            at24k[i] = pcm.samples()[2 * i];
        }
        assertTrue(bestLagSnrDb(x, at24k, 100) > 10, "Opus round trip too lossy");
    }

    @Test
    void emptyStreamsAreStillValidFiles() {
        for (AudioFormat f :
                new AudioFormat[] {AudioFormat.WAV, AudioFormat.FLAC, AudioFormat.OPUS}) {
            AudioEncoder e = AudioEncoders.create(f, RATE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(e.start());
            out.writeBytes(e.finish());
            assertTrue(out.size() > 0, f.toString());
        }
    }

    @Test
    void garbageIsRejectedWithAnAudioFormatException() {
        assertThrows(AudioFormatException.class, () -> AudioDecoders.decode(new byte[0]));
        assertThrows(
                AudioFormatException.class, () -> AudioDecoders.decode("hello world".getBytes()));
        assertThrows(
                AudioFormatException.class,
                () -> AudioDecoders.decode("OggS-not-really-ogg-at-all-padding".getBytes()));
        assertThrows(
                AudioFormatException.class, () -> AudioDecoders.decode("fLaC\0\0\0\0".getBytes()));
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void truncatedOrCorruptedStreamsDecodeOrFailCleanly() {
        float[] x = Arrays.copyOf(signal(), RATE);
        SplittableRandom r = new SplittableRandom(99);
        for (AudioFormat f :
                new AudioFormat[] {AudioFormat.MP3, AudioFormat.FLAC, AudioFormat.OPUS}) {
            byte[] valid = encodeInChunks(AudioEncoders.create(f, RATE), x);
            for (int trial = 0; trial < 30; trial++) {
                byte[] bad =
                        trial < 10
                                ? Arrays.copyOf(valid, 4 + r.nextInt(valid.length - 4))
                                : valid.clone();
                for (int k = 0; trial >= 10 && k < 1 + trial; k++) {
                    bad[4 + r.nextInt(bad.length - 4)] = (byte) r.nextInt(256);
                }
                try {
                    Pcm pcm = AudioDecoders.decode(bad);
                    assertTrue(pcm.sampleRateHz() > 0, f.toString());
                } catch (AudioFormatException expected) {
                    assertTrue(expected.getMessage() != null, f.toString());
                }
            }
        }
    }

    /** SNR of {@code y} against {@code x} at the lag in [0, maxLag] that maximises it. */
    static double bestLagSnrDb(float[] x, float[] y, int maxLag) {
        double best = Double.NEGATIVE_INFINITY;
        for (int lag = 0; lag <= maxLag; lag++) {
            double s = 0;
            double e = 0;
            for (int i = 0; i < x.length && i + lag < y.length; i++) {
                s += x[i] * (double) x[i];
                double d = y[i + lag] - x[i];
                e += d * d;
            }
            best = Math.max(best, 10 * Math.log10(s / e));
        }
        return best;
    }
}
