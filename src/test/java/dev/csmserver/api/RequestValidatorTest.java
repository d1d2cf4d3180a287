package dev.csmserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.api.dto.ContextSegment;
import dev.csmserver.api.dto.OpenAiSpeechRequest;
import dev.csmserver.api.dto.SpeechRequest;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.config.ServerConfig;
import dev.csmserver.contexts.FileContextStore;
import dev.csmserver.contexts.StoredContext;
import dev.csmserver.pipeline.ModelInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validator alone: defaults, ranges, formats, stored-context resolution (no model needed). */
class RequestValidatorTest {
    private static final ModelInfo MODEL =
            new ModelInfo("t", true, "cpu", 24000, 1920, 2, 64, 2048);
    private static final Function<Pcm, int[][]> NO_AUDIO =
            p -> {
                throw new AssertionError("no audio expected");
            };

    /** Small limits, written out (the limits are plain numbers). */
    private static final ServerConfig.Limits LIMITS =
            new ServerConfig.Limits() {
                public int maxTextChars() {
                    return 100;
                }

                public int maxUploadBytes() {
                    return 1000;
                }

                public long maxBodyBytes() {
                    return 5000;
                }

                public int maxAudioMs() {
                    return 90000;
                }

                public int defaultAudioMs() {
                    return 10000;
                }

                public int maxContextSegments() {
                    return 2;
                }

                public int maxContextAudioMs() {
                    return 60000;
                }

                public int maxSpeaker() {
                    return 31;
                }
            };

    @TempDir Path dir;
    private FileContextStore store;
    private RequestValidator validator;

    @BeforeEach
    void setUp() {
        store = new FileContextStore(dir);
        validator =
                new RequestValidator(
                        LIMITS, store, MODEL, EnumSet.of(AudioFormat.WAV, AudioFormat.PCM));
    }

    private static SpeechRequest req(
            String text, Integer speaker, Integer ms, Double t, Integer k, String fmt) {
        return SpeechRequest.forText(text)
                .withSpeaker(speaker)
                .withMaxAudioLengthMs(ms)
                .withTemperature(t)
                .withTopK(k)
                .withResponseFormat(fmt);
    }

    private static SpeechRequest withContext(ContextSegment s) {
        return SpeechRequest.forText("a").withSpeaker(0).withContext(List.of(s));
    }

    private static OpenAiSpeechRequest openAi(
            String model, String input, String voice, String format, Double speed) {
        return new OpenAiSpeechRequest(model, input, voice, null, format, speed, null);
    }

    private ApiException openAiProblem(OpenAiSpeechRequest r) {
        return assertThrows(
                ApiException.class,
                () ->
                        validator.validate(
                                OpenAiSpeechMapper.map(r, validator).request(), "input", NO_AUDIO));
    }

    private ProblemType problem(SpeechRequest r) {
        return assertThrows(ApiException.class, () -> validator.validate(r, NO_AUDIO)).type();
    }

    @Test
    void fillsTheReferenceDefaults() {
        ValidSpeech v = validator.validate(req(" Hello ", null, null, null, null, null), NO_AUDIO);
        assertEquals(" Hello ", v.request().text(), "tokenized as given, as the reference does");
        assertEquals(0, v.request().speaker());
        assertEquals(LIMITS.defaultAudioMs(), v.request().maxAudioMs());
        assertEquals(0.9f, v.request().sampling().temperature());
        assertEquals(50, v.request().sampling().topK());
        assertEquals(AudioFormat.WAV, v.format());
        assertTrue(v.stream());
        assertEquals(v.seed(), v.request().sampling().seed());
    }

    @Test
    void refusesBadTextNumbersAndFormats() {
        assertEquals(ProblemType.TEXT_EMPTY, problem(req("  ", 0, null, null, null, null)));
        assertEquals(ProblemType.TEXT_EMPTY, problem(req(null, 0, null, null, null, null)));
        assertEquals(
                ProblemType.TEXT_TOO_LONG,
                problem(req("x".repeat(101), 0, null, null, null, null)));
        assertEquals(ProblemType.INVALID_PARAMETER, problem(req("a", -1, null, null, null, null)));
        assertEquals(ProblemType.INVALID_PARAMETER, problem(req("a", 32, null, null, null, null)));
        assertEquals(ProblemType.INVALID_PARAMETER, problem(req("a", 0, 79, null, null, null)));
        assertEquals(ProblemType.INVALID_PARAMETER, problem(req("a", 0, 90001, null, null, null)));
        assertEquals(ProblemType.INVALID_PARAMETER, problem(req("a", 0, null, -0.1, null, null)));
        assertEquals(
                ProblemType.INVALID_PARAMETER, problem(req("a", 0, null, Double.NaN, null, null)));
        assertEquals(ProblemType.INVALID_PARAMETER, problem(req("a", 0, null, null, 0, null)));
        assertEquals(ProblemType.UNSUPPORTED_FORMAT, problem(req("a", 0, null, null, null, "mp3")));
        assertEquals(ProblemType.UNSUPPORTED_FORMAT, problem(req("a", 0, null, null, null, "ogg")));
    }

    @Test
    void resolvesStoredContextsAndRejectsForeignOnes() {
        store.create(
                new StoredContext(
                        "ok", 1, "hi", new int[][] {{1, 2}, {3, 4}}, 0.16, Instant.now()));
        store.create(
                new StoredContext(
                        "wide", 1, "hi", new int[][] {{1}, {2}, {3}}, 0.08, Instant.now()));
        store.create(
                new StoredContext("big", 1, "hi", new int[][] {{1}, {64}}, 0.08, Instant.now()));
        SpeechRequest r =
                SpeechRequest.forText("a")
                        .withSpeaker(0)
                        .withContext(List.of(new ContextSegment(null, null, null, "ok")))
                        .withSeed(7L)
                        .withStream(false)
                        .withSaveAs("next");
        ValidSpeech v = validator.validate(r, NO_AUDIO);
        assertEquals(1, v.request().context().get(0).speaker());
        assertEquals(2, v.request().context().get(0).numFrames());
        assertEquals(7L, v.seed());
        assertEquals("next", v.saveAs());
        for (String id : List.of("wide", "big")) {
            assertEquals(
                    ProblemType.INVALID_PARAMETER,
                    problem(withContext(new ContextSegment(null, null, null, id))));
        }
        assertEquals(
                ProblemType.CONTEXT_NOT_FOUND,
                problem(withContext(new ContextSegment(null, null, null, "nope"))));
    }

    @Test
    void refusesMalformedContextSegments() {
        ContextSegment neither = new ContextSegment("t", 0, null, null);
        assertEquals(
                ProblemType.INVALID_PARAMETER,
                problem(withContext(new ContextSegment("t", 0, "AAAA", "ok"))));
        assertEquals(ProblemType.INVALID_PARAMETER, problem(withContext(neither)));
        assertEquals(
                ProblemType.INVALID_AUDIO,
                problem(withContext(new ContextSegment("t", 0, "%%%", null))));
        assertEquals(
                ProblemType.INVALID_AUDIO,
                problem(withContext(new ContextSegment("t", 0, "AAAAAAAA", null))));
        assertEquals(
                ProblemType.AUDIO_TOO_LARGE,
                problem(withContext(new ContextSegment("t", 0, "A".repeat(2000), null))));
        assertEquals(
                ProblemType.INVALID_PARAMETER,
                problem(
                        SpeechRequest.forText("a")
                                .withSpeaker(0)
                                .withContext(List.of(neither, neither, neither))));
        assertEquals(
                ProblemType.INVALID_PARAMETER,
                problem(SpeechRequest.forText("a").withSpeaker(0).withSaveAs("../x")));
    }

    @Test
    void anUnsupportedFormatIsAnsweredWithTheFormatsOfAudioFormatThisBuildEncodes() {
        ApiException e =
                assertThrows(ApiException.class, () -> validator.format("aac", AudioFormat.WAV));
        assertEquals(ProblemType.UNSUPPORTED_FORMAT, e.type());
        assertEquals("response_format 'aac' is not supported; use one of wav, pcm", e.getMessage());
        assertEquals(AudioFormat.PCM, validator.format(" PCM", AudioFormat.WAV));
    }

    @Test
    void anOpenAiRequestIsMappedOnceAndValidatedLikeASpeechRequest() {
        OpenAiSpeechMapper.Mapped m =
                OpenAiSpeechMapper.map(
                        new OpenAiSpeechRequest("tts-1", "Hi.", "3", null, "pcm", 1.0, "sse"),
                        validator);
        assertTrue(m.sse());
        ValidSpeech v = validator.validate(m.request(), "input", NO_AUDIO);
        assertEquals("Hi.", v.request().text());
        assertEquals(3, v.request().speaker());
        assertEquals(LIMITS.maxAudioMs(), v.request().maxAudioMs(), "no length field: the cap");
        assertEquals(AudioFormat.PCM, v.format());
        assertEquals(
                AudioFormat.WAV,
                validator
                        .validate(
                                OpenAiSpeechMapper.map(
                                                openAi(null, "Hi.", "0", null, null), validator)
                                        .request(),
                                "input",
                                NO_AUDIO)
                        .format(),
                "OpenAI's default mp3 falls back to wav where mp3 is not encoded");

        assertEquals(
                "input must not be empty",
                openAiProblem(openAi(null, " ", "0", null, null)).getMessage());
        assertEquals(
                ProblemType.INVALID_PARAMETER,
                openAiProblem(openAi("whisper-1", "Hi.", "0", null, null)).type());
        assertEquals(
                ProblemType.INVALID_PARAMETER,
                openAiProblem(openAi(null, "Hi.", "32", null, null)).type(),
                "the speaker range of the same validator");
        assertEquals(
                ProblemType.UNSUPPORTED_OPTION,
                openAiProblem(openAi(null, "Hi.", "0", null, 2.0)).type());
        assertEquals(
                ProblemType.INVALID_PARAMETER,
                openAiProblem(openAi(null, "Hi.", "0", null, 9.0)).type());
        assertEquals(
                ProblemType.UNSUPPORTED_FORMAT,
                openAiProblem(openAi(null, "Hi.", "0", "aac", null)).type());
        assertEquals(
                ProblemType.UNSUPPORTED_OPTION,
                openAiProblem(openAi(null, "Hi.", "alloy", null, null)).type());
        assertEquals(
                ProblemType.INVALID_PARAMETER,
                openAiProblem(openAi(null, "Hi.", null, null, null)).type());
        assertEquals(
                ProblemType.MALFORMED_REQUEST,
                assertThrows(ApiException.class, () -> OpenAiSpeechMapper.map(null, validator))
                        .type());
    }
}
