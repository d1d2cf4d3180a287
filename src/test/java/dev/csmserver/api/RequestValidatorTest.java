package dev.csmserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.api.dto.ContextSegment;
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
        return new SpeechRequest(text, speaker, null, ms, t, k, null, fmt, null, null);
    }

    private static SpeechRequest withContext(ContextSegment s) {
        return new SpeechRequest("a", 0, List.of(s), null, null, null, null, null, null, null);
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
                new SpeechRequest(
                        "a",
                        0,
                        List.of(new ContextSegment(null, null, null, "ok")),
                        null,
                        null,
                        null,
                        7L,
                        null,
                        false,
                        "next");
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
                        new SpeechRequest(
                                "a",
                                0,
                                List.of(neither, neither, neither),
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null)));
        assertEquals(
                ProblemType.INVALID_PARAMETER,
                problem(
                        new SpeechRequest(
                                "a", 0, null, null, null, null, null, null, null, "../x")));
    }
}
