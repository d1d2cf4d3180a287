package dev.csmserver.tokenizer;

/**
 * Where each token of one tokenized segment {@code BOS "[speaker]text" EOS} lies in {@code text}
 * ({@code [start, end)} in chars), for estimating the tokens of a slice of the text without
 * tokenizing it again: a slice costs the template's tokens plus every token that overlaps it (a
 * token across a cut counts on both sides, so an estimate is rarely under the truth, and then by a
 * token or two: callers that must be exact tokenize the slice itself).
 */
public final class SegmentSpans {
    private final int[] starts;
    private final int[] ends;
    private final int overhead;

    SegmentSpans(int[] starts, int[] ends, int overhead) {
        this.starts = starts;
        this.ends = ends;
        this.overhead = overhead;
    }

    /** Estimated tokens of the segment made of {@code text[start, end)}, whitespace stripped. */
    public int estimate(String text, int start, int end) {
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        if (start >= end) {
            return overhead;
        }
        int first = firstEndingAfter(start);
        int last = lastStartingBefore(end);
        return overhead + Math.max(0, last - first + 1);
    }

    /** Tokens of the template alone: BOS, {@code [speaker]} and EOS. */
    public int overhead() {
        return overhead;
    }

    private int firstEndingAfter(int pos) {
        int lo = 0;
        int hi = ends.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] > pos) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private int lastStartingBefore(int pos) {
        int lo = -1;
        int hi = starts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] < pos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
