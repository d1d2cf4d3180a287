package dev.csmserver.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a RIFF/WAVE file into mono {@link Pcm}. Supported: integer PCM of 8 (unsigned), 16, 24 and
 * 32 bits, IEEE float of 32 (and 64) bits, plain or {@code WAVE_FORMAT_EXTENSIBLE}, mono or stereo
 * (stereo is averaged to mono), any sample rate. Streamed files whose RIFF and data sizes are
 * 0xFFFFFFFF or 0 (length unknown when the header was written) are read to the end of the bytes.
 * Anything else is an {@link AudioFormatException} that says what was found.
 */
public final class WavReader {
    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_FLOAT = 3;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;
    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;

    private WavReader() {}

    public static Pcm read(Path file) {
        try {
            return read(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Pcm read(InputStream in) {
        try {
            return read(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a whole WAV file held in memory. */
    public static Pcm read(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12) {
            throw new AudioFormatException(
                    "not a WAV file: " + bytes.length + " bytes, shorter than a RIFF header");
        }
        if (!tag(buf, 0).equals("RIFF") || !tag(buf, 8).equals("WAVE")) {
            throw new AudioFormatException(
                    "not a WAV file: expected 'RIFF....WAVE', found '"
                            + printable(tag(buf, 0))
                            + "....'"
                            + printable(tag(buf, 8))
                            + "'");
        }
        Format format = null;
        int pos = 12;
        while (pos + 8 <= bytes.length) {
            String id = tag(buf, pos);
            long size = Integer.toUnsignedLong(buf.getInt(pos + 4));
            int body = pos + 8;
            if (id.equals("fmt ")) {
                if (size < 16 || body + size > bytes.length) {
                    throw new AudioFormatException(
                            "corrupt WAV header: 'fmt ' chunk of "
                                    + size
                                    + " bytes (needs 16, "
                                    + (bytes.length - body)
                                    + " present)");
                }
                format = Format.parse(buf, body, (int) size);
            } else if (id.equals("data")) {
                if (format == null) {
                    throw new AudioFormatException(
                            "corrupt WAV header: 'data' chunk before 'fmt ' chunk");
                }
                int available = bytes.length - body;
                int length;
                if (size == UNKNOWN_SIZE || size == 0) {
                    length = available;
                } else if (size > available) {
                    throw new AudioFormatException(
                            "truncated WAV file: 'data' chunk declares "
                                    + size
                                    + " bytes but only "
                                    + available
                                    + " are present");
                } else {
                    length = (int) size;
                }
                return new Pcm(format.decode(buf, body, length), format.sampleRateHz);
            } else if (size == UNKNOWN_SIZE || body + size > bytes.length) {
                throw new AudioFormatException(
                        "corrupt WAV header: chunk '"
                                + printable(id)
                                + "' declares "
                                + size
                                + " bytes, past the end of the file");
            }
            pos = (int) (body + size + (size & 1));
        }
        throw new AudioFormatException(
                format == null
                        ? "corrupt WAV header: no 'fmt ' chunk"
                        : "corrupt WAV file: no 'data' chunk");
    }

    private static String tag(ByteBuffer buf, int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            c[i] = (char) (buf.get(at + i) & 0xFF);
        }
        return new String(c);
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** The decoded 'fmt ' chunk. */
    private record Format(int encoding, int channels, int sampleRateHz, int bits) {
        static Format parse(ByteBuffer buf, int at, int size) {
            int tag = buf.getShort(at) & 0xFFFF;
            int channels = buf.getShort(at + 2) & 0xFFFF;
            long rate = Integer.toUnsignedLong(buf.getInt(at + 4));
            int bits = buf.getShort(at + 14) & 0xFFFF;
            int encoding = tag;
            if (tag == FORMAT_EXTENSIBLE) {
                if (size < 40) {
                    throw new AudioFormatException(
                            "corrupt WAV header: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of "
                                    + size
                                    + " bytes (needs 40)");
                }
                encoding = buf.getShort(at + 24) & 0xFFFF; // first two bytes of the SubFormat GUID
            }
            if (encoding != FORMAT_PCM && encoding != FORMAT_FLOAT) {
                throw new AudioFormatException(
                        "unsupported WAV encoding 0x"
                                + Integer.toHexString(encoding)
                                + ": only PCM (1) and IEEE float (3) are supported");
            }
            if (channels != 1 && channels != 2) {
                throw new AudioFormatException(
                        "unsupported WAV channel count " + channels + ": mono or stereo only");
            }
            if (rate == 0 || rate > 768_000) {
                throw new AudioFormatException("unsupported WAV sample rate " + rate + " Hz");
            }
            boolean ok =
                    encoding == FORMAT_PCM
                            ? bits == 8 || bits == 16 || bits == 24 || bits == 32
                            : bits == 32 || bits == 64;
            if (!ok) {
                throw new AudioFormatException(
                        "unsupported WAV sample size: "
                                + bits
                                + "-bit "
                                + (encoding == FORMAT_PCM
                                        ? "PCM (8/16/24/32 supported)"
                                        : "float (32/64 supported)"));
            }
            return new Format(encoding, channels, (int) rate, bits);
        }

        /** Decodes whole frames of {@code length} bytes at {@code at}, averaging channels. */
        float[] decode(ByteBuffer buf, int at, int length) {
            int bytesPerSample = bits / 8;
            int frames = length / (bytesPerSample * channels);
            float[] out = new float[frames];
            int p = at;
            for (int f = 0; f < frames; f++) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += sample(buf, p);
                    p += bytesPerSample;
                }
                out[f] = (float) (sum / channels);
            }
            return out;
        }

        private double sample(ByteBuffer buf, int p) {
            if (encoding == FORMAT_FLOAT) {
                return bits == 32 ? buf.getFloat(p) : buf.getDouble(p);
            }
            return switch (bits) {
                case 8 -> ((buf.get(p) & 0xFF) - 128) / 128.0;
                case 16 -> buf.getShort(p) / 32768.0;
                case 24 ->
                        (((buf.get(p + 2) << 16)
                                        | ((buf.get(p + 1) & 0xFF) << 8)
                                        | (buf.get(p) & 0xFF)))
                                / 8388608.0;
                default -> buf.getInt(p) / 2147483648.0;
            };
        }
    }
}
