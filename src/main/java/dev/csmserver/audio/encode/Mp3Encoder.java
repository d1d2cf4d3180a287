package dev.csmserver.audio.encode;

import de.sciss.jump3r.lowlevel.LameEncoder;
import dev.csmserver.audio.WavWriter;
import java.io.ByteArrayOutputStream;

/**
 * MP3 (constant bit rate, mono) through jump3r, a pure-Java port of LAME. At 24 kHz LAME writes
 * MPEG-2 Layer III; frames come out as soon as LAME has enough look-ahead (a few frames).
 */
public final class Mp3Encoder implements AudioEncoder {
    /** Default bit rate: transparent enough for speech at 24 kHz, and the watermark survives it. */
    public static final int DEFAULT_BITRATE_KBPS = 64;

    private final LameEncoder lame;
    private final byte[] mp3Buffer;
    private final int maxPcmBytes;

    public Mp3Encoder(int sampleRateHz) {
        this(sampleRateHz, DEFAULT_BITRATE_KBPS);
    }

    public Mp3Encoder(int sampleRateHz, int bitrateKbps) {
        javax.sound.sampled.AudioFormat source =
                new javax.sound.sampled.AudioFormat(sampleRateHz, 16, 1, true, false);
        lame =
                new LameEncoder(
                        source,
                        bitrateKbps,
                        LameEncoder.CHANNEL_MODE_MONO,
                        LameEncoder.QUALITY_MIDDLE,
                        false);
        mp3Buffer = new byte[lame.getMP3BufferSize()];
        maxPcmBytes = Math.max(2, lame.getPCMBufferSize() / 2 & ~1);
    }

    @Override
    public byte[] start() {
        return new byte[0];
    }

    @Override
    public byte[] encode(float[] samples) {
        byte[] pcm = WavWriter.encode(samples);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < pcm.length; off += maxPcmBytes) {
            int len = Math.min(maxPcmBytes, pcm.length - off);
            int written = lame.encodeBuffer(pcm, off, len, mp3Buffer);
            out.write(mp3Buffer, 0, written);
        }
        return out.toByteArray();
    }

    @Override
    public byte[] finish() {
        int written = lame.encodeFinish(mp3Buffer);
        lame.close();
        byte[] out = new byte[Math.max(0, written)];
        System.arraycopy(mp3Buffer, 0, out, 0, out.length);
        return out;
    }

    @Override
    public AudioFormat format() {
        return AudioFormat.MP3;
    }
}
