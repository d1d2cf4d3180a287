package dev.csmserver.api;

import java.util.Locale;

/** Response audio formats and their media types ({@code pcm} is raw 16-bit little-endian mono). */
public enum AudioFormat {
    WAV("audio/wav"),
    PCM("audio/pcm"),
    MP3("audio/mpeg"),
    FLAC("audio/flac"),
    OPUS("audio/ogg");

    private final String mediaType;

    AudioFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format named {@code name} (case-insensitive), or null. */
    public static AudioFormat parse(String name) {
        for (AudioFormat f : values()) {
            if (f.extension().equalsIgnoreCase(name)) {
                return f;
            }
        }
        return null;
    }
}
