package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.model.CsmGolden;
import dev.csmserver.model.CsmModel;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Properties of the batched engine on the golden weights with real sampling (temperature > 0, top-k
 * > 1): a request's codes depend only on its seed and inputs, whatever runs beside it and whenever
 * it joins; a batch of three gives exactly the codes of three single runs; no request keeps its
 * slab slot once closed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchingPropertyTest {
    private NDManager manager;
    private TextTokenizer tokenizer;
    private CsmGenerator generator;

    /** The compute path the model runs (a subclass runs the CUDA-shaped one). */
    ComputePath path() {
        return ComputePath.CPU_DEFAULT;
    }

    @BeforeAll
    void load() {
        manager = NDManager.newBaseManager();
        tokenizer =
                TextTokenizer.open(
                        CsmGolden.dir().resolve(CsmGolden.model().get("tokenizer").asText()));
        CsmModel model =
                CsmGolden.model(
                        CsmGolden.model().get("weights_fp32").asText(),
                        manager,
                        DataType.FLOAT32,
                        path());
        generator = new CsmGenerator(model, tokenizer);
    }

    /** Every request of a test handed its KV slab slot back (CUDA-shaped; none on the CPU's). */
    @AfterEach
    void everySlotCameBack() {
        assertEquals(0, generator.model().slotsInUse(), "slab slots still held");
    }

    @AfterAll
    void close() {
        tokenizer.close();
        manager.close();
    }

    private static GenerationRequest request(
            String text, int speaker, long seed, float temperature, int topK) {
        return new GenerationRequest(
                text,
                speaker,
                List.of(),
                960,
                SamplingParams.seeded(seed).withTemperature(temperature).withTopK(topK));
    }

    @Test
    void sameSeedSameCodesDifferentSeedDifferentCodes() {
        GenerationRequest a = request("Hello there, how are you?", 0, 11, 0.9f, 20);
        List<int[]> first = generator.generate(a);
        assertEquals(str(first), str(generator.generate(a)));
        assertNotEquals(
                str(first),
                str(generator.generate(request("Hello there, how are you?", 0, 12, 0.9f, 20))));
    }

    @Test
    void aRequestIgnoresWhatRunsBesideIt() {
        GenerationRequest a = request("Good morning everyone.", 1, 5, 0.9f, 10);
        GenerationRequest b = request("Something else entirely, and longer too.", 0, 6, 1.2f, 30);
        List<int[]> alone = generator.generate(a);
        try (Generation ga = generator.start(a)) {
            List<Generation> active = new ArrayList<>(List.of(ga));
            Generation gb = null;
            try {
                for (int f = 0; !ga.isDone(); f++) {
                    if (f == 3) { // b joins between frames, at another position
                        gb = generator.start(b);
                        active.add(gb);
                    }
                    generator.step(active);
                }
            } finally {
                if (gb != null) {
                    gb.close();
                }
            }
            assertEquals(str(alone), str(ga.partFrames()));
        }
    }

    @Test
    void batchOfThreeEqualsThreeSingleRuns() {
        List<GenerationRequest> requests =
                List.of(
                        request("Short.", 0, 1, 0.9f, 50),
                        request(
                                "A somewhat longer sentence for the second request.",
                                1,
                                2,
                                0.7f,
                                5),
                        request("Greedy third one, please.", 2, 3, 0.9f, 1));
        List<String> singles = new ArrayList<>();
        for (GenerationRequest r : requests) {
            singles.add(str(generator.generate(r)));
        }
        List<Generation> batch = new ArrayList<>();
        try {
            for (GenerationRequest r : requests) {
                batch.add(generator.start(r));
            }
            while (batch.stream().anyMatch(g -> !g.isDone())) {
                generator.step(batch);
            }
            for (int i = 0; i < requests.size(); i++) {
                assertEquals(singles.get(i), str(batch.get(i).partFrames()), "request " + i);
            }
        } finally {
            batch.forEach(Generation::close);
        }
    }

    @Test
    void aPromptThatDoesNotFitIsRefusedBeforeAnythingRuns() {
        int limit = generator.model().config().maxContext();
        GenerationRequest tooMuchAudio =
                new GenerationRequest("Hi.", 0, List.of(), limit * 80, SamplingParams.seeded(0));
        PromptTooLongException e =
                assertThrows(PromptTooLongException.class, () -> generator.start(tooMuchAudio));
        assertEquals(limit, e.contextLimit());
    }

    static String str(List<int[]> frames) {
        StringBuilder sb = new StringBuilder();
        for (int[] f : frames) {
            sb.append(java.util.Arrays.toString(f)).append('\n');
        }
        return sb.toString();
    }
}
