package dev.csmserver.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The data block of a safetensors file mapped read-only. A single {@link MappedByteBuffer} cannot
 * exceed 2 GiB, so the block is mapped as windows of just under 2 GiB starting every 1 GiB: any
 * tensor of at most 1 GiB lies wholly inside one window (the largest CSM-1B tensor, the fp32 text
 * embedding, is 1.05 GB).
 */
final class MappedData {
    private static final long CHUNK = 1L << 30;

    private final FileChannel.MapMode mode = FileChannel.MapMode.READ_ONLY;
    private final List<MappedByteBuffer> chunks = new ArrayList<>();
    private final List<Long> starts = new ArrayList<>();
    private final long length;

    private MappedData(long length) {
        this.length = length;
    }

    static MappedData map(FileChannel ch, long offset, long length) throws IOException {
        // Mappings stay valid after the channel is closed.
        MappedData d = new MappedData(length);
        long pos = 0;
        while (pos < length) {
            long n = Math.min(CHUNK * 2 - 1, length - pos);
            d.chunks.add(ch.map(d.mode, offset + pos, n));
            d.starts.add(pos);
            pos += CHUNK;
        }
        return d;
    }

    /**
     * A little-endian view of {@code [begin, begin+len)}; chunks overlap by 1 GiB so any tensor
     * below 1 GiB fits.
     */
    ByteBuffer slice(long begin, long len) {
        if (len == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        int idx = (int) Math.min(begin / CHUNK, chunks.size() - 1);
        long local = begin - starts.get(idx);
        MappedByteBuffer chunk = chunks.get(idx);
        if (local + len > chunk.capacity()) {
            throw new WeightsException(
                    "tensor at offset "
                            + begin
                            + " of "
                            + len
                            + " bytes is too large to map (max 1 GiB)");
        }
        return chunk.slice((int) local, (int) len).order(ByteOrder.LITTLE_ENDIAN);
    }

    long length() {
        return length;
    }
}
