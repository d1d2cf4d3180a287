package dev.csmserver.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes 16-bit little-endian mono PCM WAV. For streaming, {@link #header} gives a 44-byte RIFF
 * header whose RIFF and data sizes are 0xFFFFFFFF (unknown length, as javax.sound, ffmpeg and
 * browsers accept) and {@link #encode} turns each chunk of samples into body bytes; {@link #write}
 * gives a complete file with real sizes.
 */
public final class WavWriter {
    /** Size of the canonical PCM header written here. */
    public static final int HEADER_BYTES = 44;

    private static final int UNKNOWN = 0xFFFFFFFF;

    private WavWriter() {}

    /** A streaming header: sizes unknown (0xFFFFFFFF), 16-bit mono PCM at {@code sampleRateHz}. */
    public static byte[] header(int sampleRateHz) {
        return header(sampleRateHz, UNKNOWN, UNKNOWN);
    }

    /**
     * Samples in [-1, 1] as 16-bit little-endian PCM; values outside are clipped to [-32768,
     * 32767].
     */
    public static byte[] encode(float[] samples) {
        ByteBuffer out = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) {
            // Same scale as the reader (x 32768), so a written file reads back to the same values.
            long v = Float.isNaN(s) ? 0 : Math.round(s * 32768.0);
            out.putShort((short) Math.max(-32768, Math.min(32767, v)));
        }
        return out.array();
    }

    /** A complete WAV file with real sizes. */
    public static byte[] write(Pcm pcm) {
        byte[] body = encode(pcm.samples());
        byte[] head = header(pcm.sampleRateHz(), 36 + body.length, body.length);
        byte[] file = new byte[head.length + body.length];
        System.arraycopy(head, 0, file, 0, head.length);
        System.arraycopy(body, 0, file, head.length, body.length);
        return file;
    }

    private static byte[] header(int sampleRateHz, int riffSize, int dataSize) {
        if (sampleRateHz <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRateHz);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'R', 'I', 'F', 'F'})
                .putInt(riffSize)
                .put(new byte[] {'W', 'A', 'V', 'E'});
        b.put(new byte[] {'f', 'm', 't', ' '}).putInt(16);
        b.putShort((short) 1).putShort((short) 1); // PCM, mono
        b.putInt(sampleRateHz).putInt(sampleRateHz * 2).putShort((short) 2).putShort((short) 16);
        b.put(new byte[] {'d', 'a', 't', 'a'}).putInt(dataSize);
        return b.array();
    }
}
