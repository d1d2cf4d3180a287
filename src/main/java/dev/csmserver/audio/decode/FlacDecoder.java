package dev.csmserver.audio.decode;

import dev.csmserver.audio.AudioFormatException;
import dev.csmserver.audio.Pcm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.jflac.FrameListener;
import org.jflac.PCMProcessor;
import org.jflac.frame.Frame;
import org.jflac.metadata.Metadata;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;

/** FLAC to PCM through jflac; any channel count (mixed to mono) and 8/16/24-bit samples. */
public final class FlacDecoder {
    private FlacDecoder() {}

    /** Decodes a whole FLAC stream. */
    public static Pcm decode(byte[] flac) {
        org.jflac.FLACDecoder decoder = new org.jflac.FLACDecoder(new ByteArrayInputStream(flac));
        Collector collector = new Collector();
        decoder.addPCMProcessor(collector);
        decoder.addFrameListener(new ErrorLimit());
        try {
            decoder.decode();
        } catch (AudioFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new AudioFormatException("not a decodable FLAC stream: " + e);
        }
        if (collector.info == null || collector.info.getSampleRate() <= 0) {
            throw new AudioFormatException("FLAC stream has no valid STREAMINFO");
        }
        return new Pcm(
                Arrays.copyOf(collector.samples, collector.count), collector.info.getSampleRate());
    }

    /**
     * jflac skips a bad frame and searches for the next sync code forever on some corrupt input;
     * give up after {@link #MAX_ERRORS} bad frames instead.
     */
    private static final class ErrorLimit implements FrameListener {
        static final int MAX_ERRORS = 32;
        private int errors;

        @Override
        public void processMetadata(Metadata metadata) {}

        @Override
        public void processFrame(Frame frame) {}

        @Override
        public void processError(String message) {
            if (++errors > MAX_ERRORS) {
                throw new AudioFormatException("corrupt FLAC stream: " + message);
            }
        }
    }

    /** Receives interleaved little-endian PCM from jflac and mixes it to mono floats. */
    private static final class Collector implements PCMProcessor {
        StreamInfo info;
        float[] samples = new float[1 << 16];
        int count;

        @Override
        public void processStreamInfo(StreamInfo streamInfo) {
            info = streamInfo;
        }

        @Override
        public void processPCM(ByteData pcm) {
            int bytes = (info.getBitsPerSample() + 7) / 8;
            int channels = info.getChannels();
            int frames = pcm.getLen() / (bytes * channels);
            if (count + frames > samples.length) {
                samples = Arrays.copyOf(samples, Math.max(samples.length * 2, count + frames));
            }
            byte[] data = pcm.getData();
            double scale = 1.0 / (1L << (8 * bytes - 1)) / channels;
            for (int f = 0; f < frames; f++) {
                long sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += sample(data, (f * channels + c) * bytes, bytes);
                }
                samples[count++] = (float) (sum * scale);
            }
        }

        private static int sample(byte[] data, int offset, int bytes) {
            if (bytes == 1) {
                return (data[offset] & 0xFF) - 128;
            }
            int v = 0;
            for (int i = 0; i < bytes; i++) {
                v |= (data[offset + i] & 0xFF) << (8 * i);
            }
            int shift = 32 - 8 * bytes;
            return (v << shift) >> shift;
        }
    }
}
