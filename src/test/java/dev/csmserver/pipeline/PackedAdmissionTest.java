package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CsmPipeline#startAll} on the demo model: requests admitted together, including prompts
 * whose rows add up to more than one context (so they go in more than one pack), give each request
 * exactly the codes of its solo run, and memory returns to baseline.
 */
class PackedAdmissionTest {
    private static CsmPipeline pipeline;

    @BeforeAll
    static void load() {
        pipeline = CsmPipeline.load(PipelineOptions.demo());
        // Long prompts read in one part each (by default they would be read in parts).
        pipeline.partPolicy(new PartPolicy(2000, 2000, 500, 3));
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    private static final class Codes implements ChunkSink {
        int[][] codes;

        @Override
        public void accept(AudioChunk chunk) {}

        @Override
        public void finish(FinishReason reason, int[][] all) {
            codes = all;
        }
    }

    private static GenerationRequest request(String text, long seed) {
        return new GenerationRequest(
                text, (int) (seed % 2), List.of(), 240, SamplingParams.seeded(seed));
    }

    private static String words(int n, int salt) {
        return IntStream.range(0, n)
                .mapToObj(i -> "w" + ((i * 7 + salt) % 50))
                .collect(Collectors.joining(" "));
    }

    @Test
    void requestsAdmittedTogetherGetTheirSoloCodes() {
        List<GenerationRequest> requests =
                List.of(
                        request(words(500, 1), 1),
                        request("A short one.", 2),
                        request(words(560, 3), 3));
        int total = requests.stream().mapToInt(pipeline::promptRows).sum();
        assertTrue(
                total > pipeline.info().contextLimit(),
                "prompts span more than one pack: " + total + " rows");
        List<int[][]> solo = new ArrayList<>();
        for (GenerationRequest r : requests) {
            Codes c = new Codes();
            pipeline.generate(r, c);
            solo.add(c.codes);
        }
        int baseline = pipeline.liveArrayCount();
        List<Codes> sinks = List.of(new Codes(), new Codes(), new Codes());
        List<Generation> gens = pipeline.startAll(requests, new ArrayList<>(sinks));
        try {
            while (gens.stream().anyMatch(g -> !g.isDone())) {
                pipeline.step(gens);
            }
            gens.forEach(g -> g.finish(g.doneReason()));
        } finally {
            gens.forEach(Generation::close);
        }
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(solo.get(i).length, sinks.get(i).codes.length, "frames of request " + i);
            for (int f = 0; f < solo.get(i).length; f++) {
                assertArrayEquals(
                        solo.get(i)[f], sinks.get(i).codes[f], "request " + i + ", frame " + f);
            }
        }
        assertEquals(baseline, pipeline.liveArrayCount(), "arrays after all closed");
    }
}
