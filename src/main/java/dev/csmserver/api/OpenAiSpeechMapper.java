package dev.csmserver.api;

import dev.csmserver.api.dto.ContextSegment;
import dev.csmserver.api.dto.OpenAiSpeechRequest;
import dev.csmserver.api.dto.SpeechRequest;
import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.contexts.StoredContext;
import java.util.List;

/**
 * The one translation of OpenAI's speech request into {@link SpeechRequest}, which the {@link
 * RequestValidator} then checks as it checks {@code /v1/speech}. {@code voice} is a speaker number
 * or a stored context id (whose speaker and audio then condition the voice). OpenAI's request has
 * no length field: the audio may run to the configured maximum, and the model's end-of-speech frame
 * ends it (as the reference's generator does), instead of a 10 s cut.
 */
final class OpenAiSpeechMapper {
    /** What {@link #map} makes of a request: the speech request and how to deliver it. */
    record Mapped(SpeechRequest request, boolean sse) {}

    private OpenAiSpeechMapper() {}

    /**
     * Maps {@code body} after {@link RequestValidator#checkOpenAiOptions} refused what CSM cannot
     * do; the result still goes through {@link RequestValidator#validate}.
     */
    static Mapped map(OpenAiSpeechRequest body, RequestValidator validator) {
        validator.checkOpenAiOptions(body);
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
