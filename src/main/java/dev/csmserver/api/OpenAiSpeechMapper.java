package dev.csmserver.api;

import dev.csmserver.api.dto.ContextSegment;
import dev.csmserver.api.dto.OpenAiSpeechRequest;
import dev.csmserver.api.dto.SpeechRequest;
import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.contexts.StoredContext;
import java.util.List;
import java.util.Set;

/**
 * The one translation of OpenAI's speech request into {@link SpeechRequest}, which the {@link
 * RequestValidator} then checks as it checks {@code /v1/speech}. {@code voice} is a speaker number
 * or a stored context id (whose speaker and audio then condition the voice). OpenAI's request has
 * no length field: the audio may run to the configured maximum, and the model's end-of-speech frame
 * ends it (as the reference's generator does), instead of a 10 s cut.
 */
final class OpenAiSpeechMapper {
    /** Model names OpenAI clients send that mean CSM. */
    private static final Set<String> MODELS =
            Set.of("csm-1b", "sesame/csm-1b", "tts-1", "tts-1-hd", "gpt-4o-mini-tts");

    /** OpenAI's speed range; within it CSM still generates at 1.0 only. */
    private static final double MIN_SPEED = 0.25;

    private static final double MAX_SPEED = 4.0;

    /** What {@link #map} makes of a request: the speech request and how to deliver it. */
    record Mapped(SpeechRequest request, boolean sse) {}

    private OpenAiSpeechMapper() {}

    /**
     * Maps {@code body} after refusing what CSM cannot do ({@link #checkOptions}); the result goes
     * through {@link RequestValidator#validate}.
     */
    static Mapped map(OpenAiSpeechRequest body, RequestValidator validator) {
        checkOptions(body);
        // OpenAI's default is mp3; a build without the mp3 encoder falls back to wav.
        String format =
                body.responseFormat() != null
                        ? body.responseFormat()
                        : validator.supports(AudioFormat.MP3)
                                ? AudioFormat.MP3.fileExtension()
                                : AudioFormat.WAV.fileExtension();
        SpeechRequest request =
                voice(body.voice(), validator)
                        .withText(body.input())
                        .withMaxAudioLengthMs(validator.maxAudioMs())
                        .withResponseFormat(format)
                        .withStream(true);
        return new Mapped(request, "sse".equals(body.streamFormat()));
    }

    /**
     * The fields of OpenAI's speech request that have no counterpart in {@link SpeechRequest}: a
     * known model name, no style instructions, speed 1 and a known stream format. What maps to
     * {@link SpeechRequest} is checked by {@link RequestValidator#validate}, as for {@code
     * /v1/speech}.
     */
    static void checkOptions(OpenAiSpeechRequest body) {
        if (body == null) {
            throw new ApiException(ProblemType.MALFORMED_REQUEST, "a JSON body is required");
        }
        if (body.model() != null && !MODELS.contains(body.model())) {
            throw invalid("model must be one of " + MODELS.stream().sorted().toList());
        }
        if (body.instructions() != null && !body.instructions().isBlank()) {
            throw new ApiException(
                    ProblemType.UNSUPPORTED_OPTION,
                    "CSM cannot follow style instructions; "
                            + "condition the voice with a stored context instead");
        }
        if (body.speed() != null && body.speed() != 1.0) {
            if (!(body.speed() >= MIN_SPEED && body.speed() <= MAX_SPEED)) {
                throw invalid("speed must be between " + MIN_SPEED + " and " + MAX_SPEED);
            }
            throw new ApiException(
                    ProblemType.UNSUPPORTED_OPTION, "CSM generates at speed 1.0 only");
        }
        String f = body.streamFormat();
        if (f != null && !f.equals("audio") && !f.equals("sse")) {
            throw invalid("stream_format must be audio or sse");
        }
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ProblemType.INVALID_PARAMETER, detail);
    }

    /** The speaker, and the stored context that conditions it, that {@code voice} names. */
    private static SpeechRequest voice(String voice, RequestValidator validator) {
        if (voice == null || voice.isBlank()) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "voice is required: a speaker number or a context id");
        }
        if (voice.matches("\\d{1,9}")) {
            return SpeechRequest.forText(null).withSpeaker(Integer.parseInt(voice));
        }
        StoredContext c;
        try {
            c = validator.storedContext(voice);
        } catch (ApiException e) {
            if (e.type() != ProblemType.CONTEXT_NOT_FOUND) {
                throw e;
            }
            throw new ApiException(
                    ProblemType.UNSUPPORTED_OPTION,
                    "voice '"
                            + voice
                            + "' is neither a speaker "
                            + "number nor a stored context id (OpenAI's named voices do not exist in CSM)");
        }
        return SpeechRequest.forText(null)
                .withSpeaker(c.speaker())
                .withContext(List.of(new ContextSegment(null, null, null, c.id())));
    }
}
