package dev.csmserver.audio.encode;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The output formats a client may ask for ({@code response_format}), with the content type and file
 * extension each is served with. PCM is raw signed 16-bit little-endian mono at the stream's rate.
 * The one list of formats: the request schemas and response media types of the contract (api's
 * OpenAPI filter), validation and its messages all derive from it.
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

    /**
     * The content type without its parameters ({@code audio/ogg} for Opus), as the contract lists
     * the response's media types.
     */
    public String mediaType() {
        int semicolon = contentType.indexOf(';');
        return semicolon < 0 ? contentType : contentType.substring(0, semicolon).strip();
    }

    /** Every format's name as a client writes it, in declaration order ({@code wav, pcm, ...}). */
    public static List<String> names() {
        return Arrays.stream(values()).map(AudioFormat::fileExtension).toList();
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
                "unsupported audio format '"
                        + name
                        + "'; use one of "
                        + String.join(", ", names()));
    }

    /** Lower-case name as accepted by {@link #fromName}. */
    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
