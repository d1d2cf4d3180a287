package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The row budget, with the demo model's real tokenizer: for any text the API accepts (up to 4096
 * characters, random and adversarial) and any context, every part's prompt (the request's context,
 * the earlier parts that fit, its text) plus its audio cap stays below the backbone's 2048 rows,
 * even when every part runs to its cap.
 */
class ReadingPlannerTest {
    private static final int LIMIT = 2048;
    private static final int K = 4;
    private static TextTokenizer tokenizer;
    private static ReadingPlanner planner;
    private static PromptBuilder prompts;

    @BeforeAll
    static void open() {
        tokenizer = TextTokenizer.open(DemoModel.tokenizerFile());
        planner = new ReadingPlanner(tokenizer, LIMIT);
        prompts = new PromptBuilder(tokenizer, K);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static final String[] WORDS = {
        "the",
        "Dr.",
        "e.g.",
        "3.14",
        "1,000",
        "Hello,",
        "world.",
        "why?",
        "yes!",
        "—",
        "…",
        "\"quoted.\"",
        "(aside)",
        "今天下雨。",
        "你好",
        "😀",
        "naïve",
        "x",
        "supercalifragilistic",
        "\n\n",
        ";",
        ":",
        "etc.",
        "J."
    };

    private static String randomText(Random rnd, int maxChars) {
        int kind = rnd.nextInt(6);
        int n = 1 + rnd.nextInt(maxChars);
        switch (kind) {
            case 0:
                return "x".repeat(n); // one word, no punctuation, no spaces
            case 1:
                return "长".repeat(n); // CJK without a full stop
            case 2:
                return "😀".repeat(Math.max(1, n / 2)); // surrogate pairs, many tokens each
            case 3:
                return ".".repeat(n); // nothing but stops
            default:
                StringBuilder b = new StringBuilder();
                while (b.length() < n) {
                    b.append(WORDS[rnd.nextInt(WORDS.length)])
                            .append(rnd.nextInt(4) == 0 ? "" : " ");
                }
                return b.substring(0, n);
        }
    }

    private static Segment segment(Random rnd, int frames) {
        int[][] codes = new int[K][frames]; // [K][T]
        return new Segment(rnd.nextInt(3), randomText(rnd, 200), codes);
    }

    private static GenerationRequest request(
            String text, List<Segment> context, int maxAudioMs, boolean capsWhole, long seed) {
        return new GenerationRequest(
                text, 0, context, maxAudioMs, SamplingParams.seeded(seed), capsWhole);
    }

    /** Reads {@code r} as the worker does, every part running to {@code frames} of its cap. */
    private static int readAll(
            GenerationRequest r, ReadingPlan plan, PartPolicy policy, Random rnd) {
        List<Segment> spoken = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < plan.size() && total < plan.wholeFrames(); i++) {
            GenerationRequest part = planner.partRequest(r, plan, policy, i, spoken, total);
            int rows = prompts.build(part.context(), part.speaker(), part.text()).rows();
            int cap = part.maxFrames();
            assertTrue(cap >= 1, "a part with no audio");
            assertTrue(
                    rows + cap < LIMIT,
                    () -> "part of " + rows + " rows + " + cap + " frames exceeds " + LIMIT);
            int made = rnd.nextInt(4) == 0 ? rnd.nextInt(cap + 1) : cap; // mostly worst case
            spoken.add(new Segment(r.speaker(), part.text(), new int[K][made]));
            total += made;
        }
        return total;
    }

    @Test
    void noPartOfAnyAcceptedTextExceedsTheBackbonesRows() {
        Random rnd = new Random(18);
        PartPolicy[] policies = {
            PartPolicy.DEFAULT,
            new PartPolicy(80, 160, 20, 3),
            new PartPolicy(400, 5000, 500, 8), // caps far over the rows: the budget shrinks
            new PartPolicy(16, 80, 0, 0)
        };
        int accepted = 0;
        int multi = 0;
        for (int n = 0; n < 160; n++) {
            PartPolicy policy = policies[n % policies.length];
            List<Segment> context = new ArrayList<>();
            int segments = rnd.nextInt(4);
            for (int s = 0; s < segments; s++) {
                context.add(segment(rnd, rnd.nextInt(600)));
            }
            boolean capsWhole = rnd.nextBoolean();
            int maxMs = 80 * (1 + rnd.nextInt(1125));
            GenerationRequest r =
                    request(randomText(rnd, 4096), context, maxMs, capsWhole, rnd.nextLong());
            ReadingPlan plan;
            try {
                plan = planner.plan(r, policy);
            } catch (PromptTooLongException e) {
                continue; // refused up front with a 400: never generated
            }
            accepted++;
            if (!plan.single()) {
                multi++;
                assertEquals(
                        r.text().replaceAll("\\s", ""),
                        String.join("", plan.parts().stream().map(ReadingPlan.Part::text).toList())
                                .replaceAll("\\s", ""));
            }
            int total = readAll(r, plan, policy, rnd);
            if (capsWhole || plan.single()) {
                assertTrue(total <= r.maxFrames(), "the whole reading's cap");
            }
        }
        assertTrue(accepted > 80 && multi > 40, accepted + " accepted, " + multi + " in parts");
    }

    @Test
    void aTextThatFitsOnePartIsReadAsAPlainRequest() {
        GenerationRequest r = request("Hello there.", List.of(), 4000, false, 5);
        ReadingPlan plan = planner.plan(r, PartPolicy.DEFAULT);
        assertTrue(plan.single());
        assertEquals(r, planner.partRequest(r, plan, PartPolicy.DEFAULT, 0, List.of(), 0));
    }

    @Test
    void aPartsCapFollowsItsTextNotTheRequestsCap() {
        String text = "This sentence is one of many. ".repeat(60);
        GenerationRequest r = request(text, List.of(), 90_000, false, 5);
        PartPolicy policy = new PartPolicy(80, 2000, 500, 3);
        ReadingPlan plan = planner.plan(r, policy);
        assertTrue(plan.size() > 5, "parts: " + plan.size());
        for (ReadingPlan.Part p : plan.parts()) {
            assertTrue(p.tokens() <= 80);
            assertEquals((2000 + p.tokens() * 500) / 80, p.capFrames());
        }
        assertEquals(Integer.MAX_VALUE, plan.wholeFrames(), "no length given: read whole");
    }

    @Test
    void earlierPartsAreContextNewestKeptOldestDropped() {
        String text = "A sentence that is read in its own part, more or less. ".repeat(40);
        Segment voice = new Segment(1, "A voice.", new int[K][100]);
        GenerationRequest r = request(text, List.of(voice), 90_000, false, 5);
        PartPolicy policy = new PartPolicy(40, 160, 20, 2);
        ReadingPlan plan = planner.plan(r, policy);
        List<Segment> spoken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            spoken.add(new Segment(0, plan.part(i).text(), new int[K][10 + i]));
        }
        GenerationRequest fifth = planner.partRequest(r, plan, policy, 4, spoken, 46);
        assertEquals(List.of(voice, spoken.get(2), spoken.get(3)), fifth.context());
        assertEquals(plan.part(4).text(), fifth.text());
        assertEquals(ReadingPlanner.partSeed(5, 4), fifth.sampling().seed());
        assertTrue(fifth.sampling().seed() != 5);
    }

    @Test
    void aContextThatLeavesNoRoomForAPartIsRefused() {
        Segment huge = new Segment(0, "Long.", new int[K][2040]);
        GenerationRequest r = request("Some words. ".repeat(100), List.of(huge), 10_000, false, 1);
        assertThrows(PromptTooLongException.class, () -> planner.plan(r, PartPolicy.DEFAULT));
    }
}
