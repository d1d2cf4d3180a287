package dev.csmserver.audio.decode;

import dev.csmserver.audio.AudioFormatException;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.WavReader;

/**
 * Decodes audio bytes in any format the service accepts (WAV, MP3, FLAC, Ogg Opus), recognised by
 * their leading bytes rather than by a client-supplied name. Raw PCM has no signature and must be
 * decoded by the caller, who knows its rate.
 */
public final class AudioDecoders {
    private AudioDecoders() {}

    /** The audio in {@code bytes}, mono; throws {@link AudioFormatException} if unrecognised. */
    public static Pcm decode(byte[] bytes) {
        if (bytes == null || bytes.length < 4) {
            throw new AudioFormatException("audio is empty or too short to recognise");
        }
        if (startsWith(bytes, "RIFF") || startsWith(bytes, "RF64")) {
            return WavReader.read(bytes);
        }
        if (startsWith(bytes, "fLaC")) {
            return FlacDecoder.decode(bytes);
        }
        if (startsWith(bytes, "OggS")) {
            return OggOpusDecoder.decode(bytes);
        }
        if (startsWith(bytes, "ID3") || isMpegSync(bytes)) {
            return Mp3Decoder.decode(bytes);
        }
        throw new AudioFormatException(
                "unrecognised audio: expected WAV, MP3, FLAC or Ogg Opus bytes");
    }

    private static boolean isMpegSync(byte[] b) {
        return (b[0] & 0xFF) == 0xFF && (b[1] & 0xE0) == 0xE0;
    }

    private static boolean startsWith(byte[] bytes, String magic) {
        for (int i = 0; i < magic.length(); i++) {
            if (bytes[i] != (byte) magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
