package dev.csmserver.audio.encode;

/** Creates the streaming encoder for a format, with the defaults the service serves. */
public final class AudioEncoders {
    private AudioEncoders() {}

    /** A new encoder for one mono stream at {@code sampleRateHz}. */
    public static AudioEncoder create(AudioFormat format, int sampleRateHz) {
        return switch (format) {
            case WAV -> PcmEncoder.wav(sampleRateHz);
            case PCM -> PcmEncoder.raw();
            case MP3 -> new Mp3Encoder(sampleRateHz);
            case FLAC -> new FlacEncoder(sampleRateHz);
            case OPUS -> new OggOpusEncoder(sampleRateHz);
        };
    }
}
