package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class TextSplitterTest {
    private static final ToIntFunction<String> CHARS = String::length;

    /** Each sentence its own part: a budget that two sentences never fit. */
    private static List<String> sentences(String text) {
        return TextSplitter.sentences(text).stream().map(String::strip).toList();
    }

    @Test
    void sentencesEndAtFullStopsExclamationsAndQuestions() {
        assertEquals(
                List.of("It rains.", "Does it?", "Yes!", "Fine"),
                sentences("It rains. Does it? Yes! Fine"));
    }

    @Test
    void titlesAndLatinAbbreviationsEndNoSentence() {
        assertEquals(
                List.of("Dr. Smith met Mr. Jones, e.g. at noon, i.e. late.", "Then they left."),
                sentences("Dr. Smith met Mr. Jones, e.g. at noon, i.e. late. Then they left."));
    }

    @Test
    void etcEndsASentenceOnlyBeforeACapital() {
        assertEquals(
                List.of("Apples, pears, etc. are fruit.", "Buy some etc.", "Then go."),
                sentences("Apples, pears, etc. are fruit. Buy some etc. Then go."));
    }

    @Test
    void singleInitialsAndDecimalsEndNoSentence() {
        assertEquals(
                List.of("J. R. R. Tolkien wrote it in 1937.", "Pi is 3.14 or so."),
                sentences("J. R. R. Tolkien wrote it in 1937. Pi is 3.14 or so."));
    }

    @Test
    void anEllipsisEndsASentenceOnlyBeforeACapital() {
        assertEquals(
                List.of("Wait... what is that?", "I see…", "Then he left…"),
                sentences("Wait... what is that? I see… Then he left…"));
        assertEquals(List.of("Well...", "No."), sentences("Well... No."));
    }

    @Test
    void closingQuotesAndBracketsStayWithTheirSentence() {
        assertEquals(
                List.of("He said \"stop.\"", "(She did not.)", "'Why?!'", "Done."),
                sentences("He said \"stop.\" (She did not.) 'Why?!' Done."));
    }

    @Test
    void cjkFullStopsEndSentencesWithoutSpaces() {
        assertEquals(List.of("今天下雨。", "你去吗？", "去！", "好"), sentences("今天下雨。你去吗？去！好"));
    }

    @Test
    void aParagraphBreakEndsASentence() {
        assertEquals(List.of("A heading", "Body text."), sentences("A heading\n\nBody text."));
    }

    @Test
    void sentencesArePackedIntoPartsWithinTheBudget() {
        String text = "One two. Three four. Five six seven. Eight.";
        List<String> parts = TextSplitter.split(text, CHARS, 20);
        assertEquals(List.of("One two. Three four.", "Five six seven.", "Eight."), parts);
    }

    @Test
    void aSentenceOverTheBudgetIsCutAtItsClauses() {
        String text = "First, a long clause here; then another one: and a last — done.";
        List<String> parts = TextSplitter.split(text, CHARS, 30);
        assertEquals(
                List.of("First, a long clause here;", "then another one: and a last —", "done."),
                parts);
    }

    @Test
    void numbersWithCommasAndColonsAreNoClauses() {
        List<String> parts = TextSplitter.split("It costs 1,000 dollars at 10:30 sharp", CHARS, 20);
        assertTrue(
                parts.stream().noneMatch(p -> p.endsWith("1,") || p.endsWith("10:")),
                parts::toString);
    }

    @Test
    void aClauseOverTheBudgetIsCutAtItsWords() {
        String text = "a text with no punctuation at all that goes on and on and on";
        List<String> parts = TextSplitter.split(text, CHARS, 16);
        for (String p : parts) {
            assertTrue(p.length() <= 16, p);
            assertTrue(!p.startsWith(" ") && !p.endsWith(" "), p);
        }
        assertEquals(text, String.join(" ", parts));
    }

    @Test
    void aWordOverTheBudgetIsCutAtCharacters() {
        String word = "x".repeat(50) + "😀" + "y".repeat(20);
        List<String> parts = TextSplitter.split(word, CHARS, 16);
        assertEquals(word, String.join("", parts));
        for (String p : parts) {
            assertTrue(p.length() <= 16, p);
            assertTrue(!Character.isLowSurrogate(p.charAt(0)), "a code point was cut: " + p);
        }
    }

    @Test
    void blankTextHasNoParts() {
        assertEquals(List.of(), TextSplitter.split(" \n\t ", CHARS, 10));
    }

    @Test
    void partsOfRandomTextsStayWithinTheBudgetAndKeepEveryWord() {
        Random rnd = new Random(7);
        String alphabet = "abc de.f,g;h:i?j!k… 。l\"m)n—o 3.1 Dr. e.g. \n\n";
        for (int n = 0; n < 300; n++) {
            StringBuilder b = new StringBuilder();
            int len = rnd.nextInt(1200);
            for (int i = 0; i < len; i++) {
                b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String text = b.toString();
            int budget = 5 + rnd.nextInt(60);
            List<String> parts = TextSplitter.split(text, CHARS, budget);
            for (String p : parts) {
                assertTrue(p.length() <= budget, () -> "over " + budget + ": '" + p + "'");
                assertTrue(!p.isBlank());
            }
            assertEquals(
                    text.replaceAll("\\s", ""),
                    String.join("", parts).replaceAll("\\s", ""),
                    "the parts lost or changed text");
        }
    }
}
