package dev.csmserver.audio.encode;

import java.util.Locale;

/**
 * The output formats a client may ask for ({@code response_format}), with the content type and file
 * extension each is served with. PCM is raw signed 16-bit little-endian mono at the stream's rate.
 */
public enum AudioFormat {
    WAV("audio/wav", "wav"),
    PCM("audio/pcm", "pcm"),
    MP3("audio/mpeg", "mp3"),
    FLAC("audio/flac", "flac"),
    OPUS("audio/ogg; codecs=opus", "opus");

    private final String contentType;
    private final String fileExtension;

    AudioFormat(String contentType, String fileExtension) {
        this.contentType = contentType;
        this.fileExtension = fileExtension;
    }

    public String contentType() {
        return contentType;
    }

    public String fileExtension() {
        return fileExtension;
    }

    /** The format named {@code name} (case-insensitive, e.g. {@code "mp3"}). */
    public static AudioFormat fromName(String name) {
        if (name != null) {
            for (AudioFormat f : values()) {
                if (f.fileExtension.equalsIgnoreCase(name.trim())) {
                    return f;
                }
            }
        }
        throw new IllegalArgumentException(
                "unsupported audio format: " + name + " (one of wav, pcm, mp3, flac, opus)");
    }

    /** Lower-case name as accepted by {@link #fromName}. */
    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
