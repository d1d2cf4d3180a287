package dev.csmserver.audio.encode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import net.sourceforge.javaflacencoder.FLACEncoder;
import net.sourceforge.javaflacencoder.FLACOutputStream;
import net.sourceforge.javaflacencoder.StreamConfiguration;

/**
 * Lossless FLAC (16-bit mono) through javaflacencoder. The stream is not seekable, so STREAMINFO
 * keeps "unknown" for the total sample count and MD5 (both allowed by the FLAC format); full
 * 4096-sample blocks are written as soon as they are complete.
 */
public final class FlacEncoder implements AudioEncoder {
    static final int BLOCK_SIZE = 4096;

    private final FLACEncoder flac = new FLACEncoder();
    private final Sink sink = new Sink();
    private long samplesAdded;

    public FlacEncoder(int sampleRateHz) {
        StreamConfiguration config =
                new StreamConfiguration(1, BLOCK_SIZE, BLOCK_SIZE, sampleRateHz, 16);
        if (!flac.setStreamConfiguration(config)) {
            throw new IllegalArgumentException("FLAC cannot encode at " + sampleRateHz + " Hz");
        }
        flac.setOutputStream(sink);
    }

    @Override
    public byte[] start() {
        try {
            flac.openFLACStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sink.drain();
    }

    @Override
    public byte[] encode(float[] samples) {
        short[] s = Pcm16.toShorts(samples);
        int[] ints = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            ints[i] = s[i];
        }
        flac.addSamples(ints, ints.length);
        samplesAdded += ints.length;
        encodeAvailable(false);
        return sink.drain();
    }

    @Override
    public byte[] finish() {
        encodeAvailable(true);
        return sink.drain();
    }

    private void encodeAvailable(boolean end) {
        if (samplesAdded == 0) {
            return; // javaflacencoder cannot flush an empty stream; the header alone is valid
        }
        int available =
                end ? flac.samplesAvailableToEncode() : flac.fullBlockSamplesAvailableToEncode();
        try {
            if (available > 0 || end) {
                flac.encodeSamples(available, end);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public AudioFormat format() {
        return AudioFormat.FLAC;
    }

    /** Collects what the encoder writes; not seekable, so the header is never rewritten. */
    private static final class Sink implements FLACOutputStream {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private long position;

        byte[] drain() {
            byte[] out = buffer.toByteArray();
            buffer.reset();
            return out;
        }

        @Override
        public long seek(long pos) {
            throw new UnsupportedOperationException("streamed FLAC is not seekable");
        }

        @Override
        public int write(byte[] data, int offset, int count) {
            buffer.write(data, offset, count);
            position += count;
            return count;
        }

        @Override
        public long size() {
            return position;
        }

        @Override
        public void write(byte data) {
            buffer.write(data);
            position++;
        }

        @Override
        public boolean canSeek() {
            return false;
        }

        @Override
        public long getPos() {
            return position;
        }
    }
}
