package dev.csmserver.audio.encode;

/**
 * A streaming encoder for one mono stream: call {@link #start()} once, {@link #encode(float[])} for
 * each chunk of samples as it is produced, then {@link #finish()} once; concatenating every
 * returned array gives the complete file. Any call may return an empty array (the codec is
 * buffering). Not thread-safe; one instance per stream.
 */
public interface AudioEncoder {
    /** Bytes that open the stream (headers); may be empty. */
    byte[] start();

    /** Encodes the next samples (float in [-1, 1], clipped outside) at the encoder's rate. */
    byte[] encode(float[] samples);

    /** Flushes buffered audio and closes the stream. */
    byte[] finish();

    /** The format this encoder writes. */
    AudioFormat format();
}
