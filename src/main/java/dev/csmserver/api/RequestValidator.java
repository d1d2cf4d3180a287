package dev.csmserver.api;

import dev.csmserver.api.dto.ContextSegment;
import dev.csmserver.api.dto.SpeechRequest;
import dev.csmserver.audio.AudioFormatException;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.decode.AudioDecoders;
import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.config.ServerConfig;
import dev.csmserver.contexts.ContextStore;
import dev.csmserver.contexts.FileContextStore;
import dev.csmserver.contexts.StoredContext;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.ModelInfo;
import dev.csmserver.pipeline.SamplingParams;
import dev.csmserver.pipeline.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The only place that enforces request limits: turns a {@link SpeechRequest} into a {@link
 * ValidSpeech} (defaults filled in, numbers range-checked, stored contexts resolved, inline audio
 * decoded and encoded) or throws an {@link ApiException} naming the problem. Plain Java: built by
 * {@link ApiBeans} from the configuration.
 */
public final class RequestValidator {
    private static final SecureRandom SEEDS = new SecureRandom();

    /** Sample rates accepted in uploaded audio (telephone to high-resolution studio audio). */
    public static final int MIN_SAMPLE_RATE_HZ = 8_000;

    public static final int MAX_SAMPLE_RATE_HZ = 192_000;

    private final ServerConfig.Limits limits;
    private final ContextStore store;
    private final Supplier<ModelInfo> model;
    private final Set<AudioFormat> formats;

    /** With the model known up front (tests). */
    public RequestValidator(
            ServerConfig.Limits limits,
            ContextStore store,
            ModelInfo model,
            Set<AudioFormat> formats) {
        this(limits, store, () -> model, formats);
    }

    /** {@code model} supplies the loaded model's description (a 503 problem while it loads). */
    public RequestValidator(
            ServerConfig.Limits limits,
            ContextStore store,
            Supplier<ModelInfo> model,
            Set<AudioFormat> formats) {
        this.limits = limits;
        this.store = store;
        this.model = model;
        this.formats = formats;
    }

    /**
     * Validates {@code r}; {@code encoder} turns decoded context audio into Mimi codes {@code
     * [K][T]}.
     */
    public ValidSpeech validate(SpeechRequest r, Function<Pcm, int[][]> encoder) {
        return validate(r, "text", encoder);
    }

    /**
     * As {@link #validate(SpeechRequest, Function)}, naming the text {@code textField} in messages
     * (the OpenAI alias calls it {@code input}).
     */
    public ValidSpeech validate(SpeechRequest r, String textField, Function<Pcm, int[][]> encoder) {
        if (r == null) {
            throw new ApiException(ProblemType.MALFORMED_REQUEST, "a JSON body is required");
        }
        String text = text(r.text(), textField);
        int speaker = speaker(r.speaker(), "speaker");
        int maxAudioMs =
                r.maxAudioLengthMs() == null ? limits.defaultAudioMs() : r.maxAudioLengthMs();
        int minMs = (int) Math.ceil(model.get().frameMs());
        if (maxAudioMs < minMs || maxAudioMs > limits.maxAudioMs()) {
            throw bad(
                    "max_audio_length_ms must be between " + minMs + " and " + limits.maxAudioMs());
        }
        long seed = r.seed() == null ? SEEDS.nextLong() & Long.MAX_VALUE : r.seed();
        SamplingParams sampling = sampling(r, seed);
        AudioFormat format = format(r.responseFormat(), AudioFormat.WAV);
        String saveAs = r.saveAs();
        if (saveAs != null && !FileContextStore.isValidId(saveAs)) {
            throw bad("save_as must match [A-Za-z0-9_-]{1,64}");
        }
        if (store.isBuiltIn(saveAs)) {
            throw new ApiException(
                    ProblemType.CONTEXT_READ_ONLY,
                    "save_as '" + saveAs + "' is a built-in voice of the model; choose another id");
        }
        if (saveAs != null && store.exists(saveAs)) {
            throw new ApiException(
                    ProblemType.CONTEXT_EXISTS,
                    "save_as '" + saveAs + "' exists; DELETE it first or choose another id");
        }
        List<Segment> context = context(r.context(), encoder);
        GenerationRequest request =
                new GenerationRequest(
                        text,
                        speaker,
                        context,
                        maxAudioMs,
                        sampling,
                        // No length given: a text read in parts is read whole.
                        r.maxAudioLengthMs() != null);
        return new ValidSpeech(request, format, r.stream() == null || r.stream(), seed, saveAs);
    }

    /** The request's sampling parameters over the defaults; SamplingParams checks their ranges. */
    private static SamplingParams sampling(SpeechRequest r, long seed) {
        SamplingParams p = SamplingParams.seeded(seed);
        try {
            if (r.temperature() != null) {
                // a double past float's range becomes infinite and is refused, as NaN is
                p = p.withTemperature(r.temperature().floatValue());
            }
            if (r.topK() != null) {
                p = p.withTopK(r.topK());
            }
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        return p;
    }

    public boolean supports(AudioFormat format) {
        return formats.contains(format);
    }

    /**
     * Checks a response format name against {@link AudioFormat} (the one list) and what this build
     * encodes; {@code fallback} when absent.
     */
    public AudioFormat format(String name, AudioFormat fallback) {
        if (name == null) {
            return fallback;
        }
        AudioFormat f;
        try {
            f = AudioFormat.fromName(name);
        } catch (IllegalArgumentException e) {
            f = null;
        }
        if (f == null || !formats.contains(f)) {
            throw new ApiException(
                    ProblemType.UNSUPPORTED_FORMAT,
                    "response_format '"
                            + name
                            + "' is not supported; use one of "
                            + String.join(
                                    ", ",
                                    AudioFormat.names().stream()
                                            .filter(n -> formats.contains(AudioFormat.fromName(n)))
                                            .toList()));
        }
        return f;
    }

    /** The longest audio a request may ask for ({@code csm.limits.max-audio-ms}). */
    public int maxAudioMs() {
        return limits.maxAudioMs();
    }

    /** Non-blank text within the length limit. */
    public String text(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new ApiException(ProblemType.TEXT_EMPTY, field + " must not be empty");
        }
        if (text.length() > limits.maxTextChars()) {
            throw new ApiException(
                    ProblemType.TEXT_TOO_LONG,
                    field
                            + " has "
                            + text.length()
                            + " characters; the limit is "
                            + limits.maxTextChars());
        }
        if (text.indexOf('\0') >= 0) {
            throw bad(field + " must not contain NUL characters");
        }
        // As given: the reference tokenizes "[speaker]" + text without stripping it.
        return text;
    }

    /** A speaker id in range; 0 when absent. */
    public int speaker(Integer speaker, String field) {
        int s = speaker == null ? 0 : speaker;
        if (s < 0 || s > limits.maxSpeaker()) {
            throw bad(field + " must be between 0 and " + limits.maxSpeaker());
        }
        return s;
    }

    private List<Segment> context(List<ContextSegment> segments, Function<Pcm, int[][]> encoder) {
        if (segments == null) {
            return List.of();
        }
        if (segments.size() > limits.maxContextSegments()) {
            throw bad(
                    "context has "
                            + segments.size()
                            + " segments; the limit is "
                            + limits.maxContextSegments());
        }
        List<Segment> out = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            out.add(segment(segments.get(i), "context[" + i + "]", encoder));
        }
        return out;
    }

    private Segment segment(ContextSegment s, String where, Function<Pcm, int[][]> encoder) {
        if (s == null) {
            throw bad(where + " must be an object");
        }
        if ((s.audio() == null) == (s.contextId() == null)) {
            throw bad(where + " needs exactly one of audio or context_id");
        }
        if (s.contextId() != null) {
            StoredContext c = storedContext(s.contextId());
            String text = s.text() == null ? c.text() : text(s.text(), where + ".text");
            int speaker =
                    s.speaker() == null ? c.speaker() : speaker(s.speaker(), where + ".speaker");
            return new Segment(speaker, text, c.codes());
        }
        String text = text(s.text(), where + ".text");
        if (s.speaker() == null) {
            throw bad(where + ".speaker is required with audio");
        }
        int speaker = speaker(s.speaker(), where + ".speaker");
        Pcm pcm = decodeAudio(base64(s.audio(), where + ".audio"), where + ".audio");
        return new Segment(speaker, text, encode(pcm, encoder, where + ".audio"));
    }

    /** The stored context {@code id}, compatible with the loaded model, or 404. */
    public StoredContext storedContext(String id) {
        StoredContext c = FileContextStore.isValidId(id) ? store.get(id).orElse(null) : null;
        if (c == null) {
            throw new ApiException(
                    ProblemType.CONTEXT_NOT_FOUND, "no stored context with id '" + id + "'");
        }
        ModelInfo m = model.get();
        if (c.numCodebooks() != m.numCodebooks()) {
            throw bad(
                    "context '"
                            + id
                            + "' has "
                            + c.numCodebooks()
                            + " codebooks; the model uses "
                            + m.numCodebooks()
                            + " (it was stored for another model)");
        }
        for (int[] row : c.codes()) {
            for (int code : row) {
                if (code < 0 || code >= m.codebookSize()) {
                    throw bad("context '" + id + "' holds codes outside this model's codebook");
                }
            }
        }
        return c;
    }

    private byte[] base64(String data, String where) {
        long approxBytes = (long) data.length() * 3 / 4;
        if (approxBytes > limits.maxUploadBytes()) {
            throw new ApiException(
                    ProblemType.AUDIO_TOO_LARGE,
                    where
                            + " is about "
                            + approxBytes
                            + " bytes; the limit is "
                            + limits.maxUploadBytes());
        }
        try {
            return Base64.getMimeDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new ApiException(
                    ProblemType.INVALID_AUDIO, where + " is not valid base64: " + e.getMessage());
        }
    }

    /** An upload of {@code bytes} bytes must fit the upload limit. */
    public void checkUploadSize(long bytes, String where) {
        if (bytes > limits.maxUploadBytes()) {
            throw new ApiException(
                    ProblemType.AUDIO_TOO_LARGE,
                    where + " has " + bytes + " bytes; the limit is " + limits.maxUploadBytes());
        }
    }

    /** The bytes of an uploaded multipart file, after checking them against the upload limit. */
    public byte[] readUpload(FileUpload upload, String where) {
        checkUploadSize(upload.size(), where);
        try {
            return Files.readAllBytes(upload.uploadedFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request body of {@code bytes} bytes (Content-Length) must fit the body limit. */
    public void checkBodySize(long bytes) {
        if (bytes > limits.maxBodyBytes()) {
            throw new ApiException(
                    ProblemType.BODY_TOO_LARGE,
                    "the body has " + bytes + " bytes; the limit is " + limits.maxBodyBytes());
        }
    }

    /**
     * Decodes uploaded audio (WAV, MP3, FLAC or Ogg Opus), enforcing the size and duration limits.
     */
    public Pcm decodeAudio(byte[] bytes, String where) {
        checkUploadSize(bytes.length, where);
        Pcm pcm;
        try {
            pcm = AudioDecoders.decode(bytes);
        } catch (AudioFormatException e) {
            throw new ApiException(ProblemType.INVALID_AUDIO, where + ": " + e.getMessage());
        }
        if (pcm.samples().length == 0) {
            throw new ApiException(ProblemType.INVALID_AUDIO, where + " holds no samples");
        }
        if (pcm.sampleRateHz() < MIN_SAMPLE_RATE_HZ || pcm.sampleRateHz() > MAX_SAMPLE_RATE_HZ) {
            throw new ApiException(
                    ProblemType.INVALID_AUDIO,
                    where
                            + " has a sample rate of "
                            + pcm.sampleRateHz()
                            + " Hz; accepted rates are "
                            + MIN_SAMPLE_RATE_HZ
                            + " to "
                            + MAX_SAMPLE_RATE_HZ
                            + " Hz");
        }
        double ms = pcm.durationSeconds() * 1000;
        if (ms > limits.maxContextAudioMs()) {
            throw new ApiException(
                    ProblemType.AUDIO_TOO_LARGE,
                    where
                            + " lasts "
                            + Math.round(ms)
                            + " ms; the limit is "
                            + limits.maxContextAudioMs()
                            + " ms");
        }
        for (float v : pcm.samples()) {
            if (!Float.isFinite(v)) {
                throw new ApiException(
                        ProblemType.INVALID_AUDIO, where + " holds NaN or infinite samples");
            }
        }
        return pcm;
    }

    /** Runs the Mimi encoder; an audio the codec refuses is the client's problem. */
    public int[][] encode(Pcm pcm, Function<Pcm, int[][]> encoder, String where) {
        try {
            int[][] codes = encoder.apply(pcm);
            if (codes.length == 0 || codes[0].length == 0) {
                throw new ApiException(
                        ProblemType.INVALID_AUDIO,
                        where + " is too short to encode (under one frame)");
            }
            return codes;
        } catch (IllegalArgumentException e) {
            throw new ApiException(ProblemType.INVALID_AUDIO, where + ": " + e.getMessage());
        }
    }

    private static ApiException bad(String detail) {
        return new ApiException(ProblemType.INVALID_PARAMETER, detail);
    }
}
