package dev.csmserver.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Cuts a long text into parts a model can read one after another, each within a cost budget (the
 * tokens of a part's prompt segment): whole sentences where they fit, packed greedily; a sentence
 * over the budget at its clauses ({@code , ; : —} and their full-width forms), a clause over it at
 * its words, a word over it (a text with no spaces) at characters. Sentences end at {@code . ! ? …}
 * and the CJK full stops {@code 。！？}, with closing quotes and brackets kept on the sentence; a full
 * stop after a title ("Dr."), a Latin abbreviation ("e.g.", "i.e."), a single initial ("J."),
 * inside a number ("3.14") or an ellipsis followed by lower case ends nothing. The parts joined
 * again are the text (only whitespace at the cuts is dropped). Pure Java, thread-safe.
 */
public final class TextSplitter {
    /** Words whose full stop never ends a sentence: titles and Latin abbreviations. */
    private static final Set<String> NEVER_FINAL =
            Set.of(
                    "dr", "mr", "mrs", "ms", "prof", "sr", "jr", "st", "mt", "vs", "no", "fig",
                    "e.g", "i.e", "cf", "approx", "ca", "vol", "p", "pp");

    /** Abbreviations that end a sentence only when a capitalised word follows. */
    private static final Set<String> FINAL_BEFORE_CAPITAL = Set.of("etc", "inc", "ltd", "co");

    private static final String STOPS = ".!?…。！？";
    private static final String CLOSERS = "\"'”’»)]}」』）";
    private static final String CLAUSE_MARKS = ",;:—–，；：、";

    private TextSplitter() {}

    /** The cost of the text between two offsets, whitespace at either end not counted. */
    @FunctionalInterface
    public interface RangeCost {
        int of(int start, int end);
    }

    /**
     * {@code text} in parts of at most {@code budget} each as {@code cost} measures them (a part is
     * over budget only when one character alone is); blank text gives no parts.
     */
    public static List<String> split(String text, ToIntFunction<String> cost, int budget) {
        return split(text, (a, b) -> cost.applyAsInt(text.substring(a, b).strip()), budget);
    }

    /** As {@link #split(String, ToIntFunction, int)}, the cost given for ranges of {@code text}. */
    public static List<String> split(String text, RangeCost cost, int budget) {
        List<int[]> pieces = new ArrayList<>();
        for (int[] sentence : cut(text, 0, text.length(), TextSplitter::sentenceEnd)) {
            if (cost.of(sentence[0], sentence[1]) <= budget) {
                pieces.add(sentence);
                continue;
            }
            for (int[] clause : cut(text, sentence[0], sentence[1], TextSplitter::clauseEnd)) {
                if (cost.of(clause[0], clause[1]) <= budget) {
                    pieces.add(clause);
                    continue;
                }
                for (int[] word : cut(text, clause[0], clause[1], TextSplitter::wordEnd)) {
                    if (cost.of(word[0], word[1]) <= budget) {
                        pieces.add(word);
                    } else {
                        pieces.addAll(characters(text, word, cost, budget));
                    }
                }
            }
        }
        return pack(text, pieces, cost, budget);
    }

    /** The sentences of {@code text}, each with the whitespace after it, in order. */
    public static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (int[] r : cut(text, 0, text.length(), TextSplitter::sentenceEnd)) {
            out.add(text.substring(r[0], r[1]));
        }
        return out;
    }

    /** Where a piece ends: the index just after it, or -1 when none ends at {@code i}. */
    private interface Boundary {
        int endAt(String s, int i);
    }

    /**
     * Ranges {@code [start, end)} of {@code s} between {@code from} and {@code to}, cut after each
     * boundary, whitespace following a cut kept on its left; blank ranges left out.
     */
    private static List<int[]> cut(String s, int from, int to, Boundary boundary) {
        List<int[]> out = new ArrayList<>();
        int start = from;
        int i = from;
        while (i < to) {
            int end = Math.min(boundary.endAt(s, i), to);
            if (end < 0) {
                i++;
                continue;
            }
            while (end < to && Character.isWhitespace(s.charAt(end))) {
                end++;
            }
            out.add(new int[] {start, end});
            start = end;
            i = end;
        }
        if (start < to) {
            out.add(new int[] {start, to});
        }
        out.removeIf(r -> s.substring(r[0], r[1]).isBlank());
        return out;
    }

    private static int sentenceEnd(String s, int i) {
        char c = s.charAt(i);
        if (c == '\n' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
            return i + 2; // a paragraph break ends whatever precedes it
        }
        boolean cjk = c == '。' || c == '！' || c == '？';
        if (!cjk && c != '.' && c != '!' && c != '?' && c != '…') {
            return -1;
        }
        if (i > 0 && STOPS.indexOf(s.charAt(i - 1)) >= 0) {
            return -1; // a run of stops is judged once, at its start
        }
        int j = i;
        while (j < s.length() && STOPS.indexOf(s.charAt(j)) >= 0) {
            j++; // "?!", "..." and "。。" end once, after the run
        }
        int stops = j - i;
        while (j < s.length() && CLOSERS.indexOf(s.charAt(j)) >= 0) {
            j++;
        }
        if (cjk) {
            return j; // CJK text puts no space after its full stops
        }
        if (j < s.length() && !Character.isWhitespace(s.charAt(j))) {
            return -1; // "3.14", "e.g.x", "file.txt": not an end
        }
        String next = nextWord(s, j);
        boolean ellipsis = c == '…' || (c == '.' && stops >= 3);
        if (ellipsis) {
            return next.isEmpty() || Character.isUpperCase(next.codePointAt(0)) ? j : -1;
        }
        if (c == '.' && stops == 1) {
            String word = wordBefore(s, i).toLowerCase(Locale.ROOT);
            if (NEVER_FINAL.contains(word) || isInitial(word)) {
                return -1;
            }
            if ((FINAL_BEFORE_CAPITAL.contains(word) || word.indexOf('.') >= 0)
                    && !next.isEmpty()
                    && !Character.isUpperCase(next.codePointAt(0))) {
                return -1;
            }
        }
        return j;
    }

    /** One letter ("J" of "J. R. R. Tolkien"): an initial, not a sentence. */
    private static boolean isInitial(String word) {
        return word.codePointCount(0, word.length()) == 1
                && Character.isLetter(word.codePointAt(0));
    }

    /** The word that ends at {@code i} (letters and inner dots, as in "e.g"). */
    private static String wordBefore(String s, int i) {
        int b = i;
        while (b > 0 && (Character.isLetter(s.charAt(b - 1)) || s.charAt(b - 1) == '.')) {
            b--;
        }
        return s.substring(b, i);
    }

    /** The first word after {@code j}, skipping whitespace and opening quotes. */
    private static String nextWord(String s, int j) {
        int b = j;
        while (b < s.length()
                && (Character.isWhitespace(s.charAt(b)) || "\"'“‘«([".indexOf(s.charAt(b)) >= 0)) {
            b++;
        }
        return s.substring(b);
    }

    private static int clauseEnd(String s, int i) {
        char c = s.charAt(i);
        if (CLAUSE_MARKS.indexOf(c) < 0) {
            return -1;
        }
        boolean wide = c >= '\u3000';
        if (!wide && c != '—' && c != '–' && i + 1 < s.length() && !isSpaceOrCloser(s, i + 1)) {
            return -1; // "1,000", "10:30": inside a number
        }
        return i + 1;
    }

    private static boolean isSpaceOrCloser(String s, int i) {
        char c = s.charAt(i);
        return Character.isWhitespace(c) || CLOSERS.indexOf(c) >= 0;
    }

    private static int wordEnd(String s, int i) {
        return Character.isWhitespace(s.charAt(i)) ? i : -1;
    }

    /**
     * A word too long for the budget, cut at code points into the longest pieces that fit (found by
     * bisection: a handful of cost calls a piece).
     */
    private static List<int[]> characters(String s, int[] word, RangeCost cost, int budget) {
        List<int[]> out = new ArrayList<>();
        int start = word[0];
        while (start < word[1]) {
            int lo = 1; // code points; one always goes (a part over budget only then)
            int hi = s.codePointCount(start, word[1]);
            while (lo < hi) {
                int mid = lo + (hi - lo + 1) / 2;
                if (cost.of(start, s.offsetByCodePoints(start, mid)) <= budget) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            int end = s.offsetByCodePoints(start, lo);
            out.add(new int[] {start, end});
            start = end;
        }
        return out;
    }

    /** Consecutive pieces joined greedily while the joined part stays within the budget. */
    private static List<String> pack(String s, List<int[]> pieces, RangeCost cost, int budget) {
        List<String> parts = new ArrayList<>();
        int start = -1;
        int end = -1;
        for (int[] piece : pieces) {
            if (start >= 0 && cost.of(start, piece[1]) > budget) {
                parts.add(s.substring(start, end).strip());
                start = -1;
            }
            if (start < 0) {
                start = piece[0];
            }
            end = piece[1];
        }
        if (start >= 0) {
            parts.add(s.substring(start, end).strip());
        }
        return parts;
    }
}
