package dev.csmserver.audio.encode;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Opus in Ogg (RFC 7845), mono, 20 ms packets, through concentus (a pure-Java port of libopus).
 * Opus encodes 24 kHz natively, so no resampling is needed. Each {@link #encode} call flushes one
 * page with the packets it completed; {@link #finish} pads the last frame, flushes the encoder's
 * look-ahead and sets the end-of-stream granule so that decoders trim the padding.
 */
public final class OggOpusEncoder implements AudioEncoder {
    /** Default bit rate: speech is transparent well below it, and the watermark survives it. */
    public static final int DEFAULT_BITRATE_BPS = 64_000;

    private static final int OGG_RATE = 48_000;
    private static final int MAX_PACKET_BYTES = 4000;

    private final int sampleRateHz;
    private final int frameSamples;
    private final OpusEncoder opus;
    private final OggPageWriter pages = new OggPageWriter(0x43534d31);
    private final int preSkip48k;
    private final short[] pending;
    private final byte[] packet = new byte[MAX_PACKET_BYTES];
    private int pendingCount;
    private long inputSamples;
    private long encodedSamples;

    public OggOpusEncoder(int sampleRateHz) {
        this(sampleRateHz, DEFAULT_BITRATE_BPS);
    }

    public OggOpusEncoder(int sampleRateHz, int bitrateBps) {
        if (OGG_RATE % sampleRateHz != 0 || sampleRateHz < 8000) {
            throw new IllegalArgumentException(
                    "Opus encodes 8, 12, 16, 24 or 48 kHz, not " + sampleRateHz + " Hz");
        }
        this.sampleRateHz = sampleRateHz;
        this.frameSamples = sampleRateHz / 50;
        try {
            opus = new OpusEncoder(sampleRateHz, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
        } catch (OpusException e) {
            throw new IllegalArgumentException("Opus encoder rejected " + sampleRateHz + " Hz", e);
        }
        opus.setBitrate(bitrateBps);
        opus.setComplexity(5);
        preSkip48k = opus.getLookahead() * (OGG_RATE / sampleRateHz);
        pending = new short[frameSamples];
    }

    @Override
    public byte[] start() {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes("OpusHead".getBytes(StandardCharsets.US_ASCII));
        head.write(1); // version
        head.write(1); // channels
        OggPageWriter.writeLe(head, preSkip48k, 2);
        OggPageWriter.writeLe(head, sampleRateHz, 4);
        OggPageWriter.writeLe(head, 0, 2); // output gain
        head.write(0); // mapping family 0: mono/stereo
        ByteArrayOutputStream tags = new ByteArrayOutputStream();
        byte[] vendor = "csm-server (concentus)".getBytes(StandardCharsets.UTF_8);
        tags.writeBytes("OpusTags".getBytes(StandardCharsets.US_ASCII));
        OggPageWriter.writeLe(tags, vendor.length, 4);
        tags.writeBytes(vendor);
        OggPageWriter.writeLe(tags, 0, 4); // no user comments
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(pages.page(List.of(head.toByteArray()), 0, OggPageWriter.FLAG_BOS));
        out.writeBytes(pages.page(List.of(tags.toByteArray()), 0, 0));
        return out.toByteArray();
    }

    @Override
    public byte[] encode(float[] samples) {
        List<byte[]> packets = new ArrayList<>();
        for (float s : samples) {
            pending[pendingCount++] = Pcm16.toShort(s);
            if (pendingCount == frameSamples) {
                packets.add(encodeFrame());
            }
        }
        inputSamples += samples.length;
        return writePages(packets, encodedSamples * (OGG_RATE / sampleRateHz), false);
    }

    @Override
    public byte[] finish() {
        List<byte[]> packets = new ArrayList<>();
        long needed = inputSamples + preSkip48k / (OGG_RATE / sampleRateHz);
        while (encodedSamples < needed || pendingCount > 0) {
            while (pendingCount < frameSamples) {
                pending[pendingCount++] = 0;
            }
            packets.add(encodeFrame());
        }
        long granule = preSkip48k + inputSamples * (OGG_RATE / sampleRateHz);
        return writePages(packets, granule, true);
    }

    private byte[] encodeFrame() {
        try {
            int len = opus.encode(pending, 0, frameSamples, packet, 0, packet.length);
            pendingCount = 0;
            encodedSamples += frameSamples;
            byte[] p = new byte[len];
            System.arraycopy(packet, 0, p, 0, len);
            return p;
        } catch (OpusException e) {
            throw new IllegalStateException("Opus encoding failed", e);
        }
    }

    /** Pages holding {@code packets}; the last page gets {@code granule} (and EOS when asked). */
    private byte[] writePages(List<byte[]> packets, long granule, boolean last) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> page = new ArrayList<>();
        long perPacket = (long) frameSamples * (OGG_RATE / sampleRateHz);
        long pageGranule = granule - perPacket * packets.size();
        for (int i = 0; i < packets.size(); i++) {
            page.add(packets.get(i));
            pageGranule += perPacket;
            boolean full =
                    i + 1 < packets.size()
                            && OggPageWriter.segmentsFor(page) + packets.get(i + 1).length / 255 + 1
                                    > 255;
            if (full) {
                out.writeBytes(pages.page(page, pageGranule, 0));
                page.clear();
            }
        }
        if (!page.isEmpty() || last) {
            out.writeBytes(pages.page(page, granule, last ? OggPageWriter.FLAG_EOS : 0));
        }
        return out.toByteArray();
    }

    @Override
    public AudioFormat format() {
        return AudioFormat.OPUS;
    }
}
