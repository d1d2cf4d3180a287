package dev.csmserver.audio.decode;

import dev.csmserver.audio.AudioFormatException;
import dev.csmserver.audio.Pcm;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ogg Opus (RFC 7845) to 48 kHz mono PCM through concentus: reassembles packets from the pages of
 * the first logical stream, reads OpusHead (channels, pre-skip), skips OpusTags, decodes, drops the
 * pre-skip and trims the end to the last page's granule position. Page CRCs are not verified.
 */
public final class OggOpusDecoder {
    static final int RATE = 48_000;
    private static final int MAX_FRAME = RATE * 120 / 1000;

    private OggOpusDecoder() {}

    /** Decodes a whole Ogg Opus stream; corrupt input gives an {@link AudioFormatException}. */
    public static Pcm decode(byte[] ogg) {
        try {
            return decodePackets(ogg);
        } catch (RuntimeException e) {
            if (e instanceof AudioFormatException) {
                throw e;
            }
            throw new AudioFormatException("corrupt Ogg Opus stream: " + e);
        }
    }

    private static Pcm decodePackets(byte[] ogg) {
        List<byte[]> packets = new ArrayList<>();
        long lastGranule = readPackets(ogg, packets);
        if (packets.size() < 2 || !startsWith(packets.get(0), "OpusHead")) {
            throw new AudioFormatException("not an Ogg Opus stream (no OpusHead)");
        }
        byte[] head = packets.get(0);
        int channels = head[9] & 0xFF;
        int preSkip = (head[10] & 0xFF) | (head[11] & 0xFF) << 8;
        if (channels < 1 || channels > 2) {
            throw new AudioFormatException(
                    "Ogg Opus with " + channels + " channels is not supported");
        }
        OpusDecoder opus;
        try {
            opus = new OpusDecoder(RATE, channels);
        } catch (OpusException e) {
            throw new IllegalStateException(e);
        }
        short[] frame = new short[MAX_FRAME * channels];
        float[] out = new float[RATE];
        int total = 0;
        for (int p = 2; p < packets.size(); p++) {
            byte[] packet = packets.get(p);
            int n;
            try {
                n = opus.decode(packet, 0, packet.length, frame, 0, MAX_FRAME, false);
            } catch (OpusException e) {
                throw new AudioFormatException("corrupt Opus packet " + p + ": " + e.getMessage());
            }
            if (total + n > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, total + n));
            }
            for (int i = 0; i < n; i++) {
                int sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += frame[i * channels + c];
                }
                out[total++] = sum / (32768f * channels);
            }
        }
        int end = lastGranule > 0 ? (int) Math.min(total, lastGranule) : total;
        int start = Math.min(preSkip, end);
        return new Pcm(Arrays.copyOfRange(out, start, end), RATE);
    }

    /** Appends the packets of the first logical stream; returns the last page's granule. */
    private static long readPackets(byte[] ogg, List<byte[]> packets) {
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        long granule = -1;
        int serial = 0;
        boolean first = true;
        int pos = 0;
        while (pos + 27 <= ogg.length) {
            if (ogg[pos] != 'O'
                    || ogg[pos + 1] != 'g'
                    || ogg[pos + 2] != 'g'
                    || ogg[pos + 3] != 'S') {
                throw new AudioFormatException("bad Ogg page at byte " + pos);
            }
            int pageSerial = (int) le(ogg, pos + 14, 4);
            int segments = ogg[pos + 26] & 0xFF;
            int body = pos + 27 + segments;
            if (body > ogg.length) {
                throw new AudioFormatException("truncated Ogg page at byte " + pos);
            }
            if (first) {
                serial = pageSerial;
                first = false;
            }
            int data = body;
            for (int s = 0; s < segments; s++) {
                int lace = ogg[pos + 27 + s] & 0xFF;
                if (data + lace > ogg.length) {
                    throw new AudioFormatException("truncated Ogg page at byte " + pos);
                }
                if (pageSerial == serial) {
                    partial.write(ogg, data, lace);
                    if (lace < 255) {
                        packets.add(partial.toByteArray());
                        partial.reset();
                    }
                }
                data += lace;
            }
            if (pageSerial == serial) {
                granule = le(ogg, pos + 6, 8);
            }
            pos = data;
        }
        return granule;
    }

    private static long le(byte[] b, int offset, int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long) (b[offset + i] & 0xFF) << (8 * i);
        }
        return v;
    }

    private static boolean startsWith(byte[] data, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        return data.length >= m.length && Arrays.equals(Arrays.copyOf(data, m.length), m);
    }
}
