package dev.csmserver.audio.watermark;

import dev.csmserver.audio.SincResampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Detects the mark of one key's secret in a clip at any sample rate and recovers its payload.
 * Stateless after construction and safe to share between threads.
 *
 * <p>Steps: resample to 24 kHz; whiten ({@link Whitener}); for the whole clip, and for 4 s windows
 * every 2 s when the clip is longer than 6 s, fold onto the carrier period and search every lag
 * ({@link LagSearch}); keep the strongest |z|. Its false-alarm probability is the Gaussian tail
 * times the number of tests (lags x 2 polarities x windows). At the best lag each payload bit is
 * the sign of its chips' correlation; the 32 bits are accepted when their CRC-16 matches, trying
 * the 16 flips of the four least reliable bits (Chase decoding). The span is the run of 0.5 s
 * segments whose own correlation at that lag exceeds {@link #SEGMENT_Z}.
 */
public final class WatermarkDetector {
    /** Detected when the false-alarm probability is at most this. */
    public static final double DETECTION_FALSE_ALARM = 1e-5;

    static final double SEGMENT_SECONDS = 0.5;
    static final double SEGMENT_Z = 3.0;
    private static final int RATE = WatermarkCode.SAMPLE_RATE_HZ;
    private static final int CHASE_BITS = 4;

    private final WatermarkCode code;
    private final LagSearch lagSearch;
    private final Whitener whitener = new Whitener();

    public WatermarkDetector(WatermarkKey key) {
        this.code = new WatermarkCode(key);
        this.lagSearch = new LagSearch(code);
    }

    /** Looks for the mark in mono {@code samples} at {@code sampleRateHz}. */
    public WatermarkDetection detect(float[] samples, int sampleRateHz) {
        float[] x =
                sampleRateHz == RATE
                        ? samples
                        : SincResampler.resample(samples, sampleRateHz, RATE);
        if (x.length < Whitener.FRAME * 4) {
            return WatermarkDetection.none(0, 1);
        }
        double[] v = whitener.whiten(x);
        List<int[]> windows = windows(v.length);
        LagSearch.Peak best = null;
        for (int[] w : windows) {
            LagSearch.Peak peak = lagSearch.search(v, w[0], w[1]);
            if (best == null || Math.abs(peak.z()) > Math.abs(best.z())) {
                best = peak;
            }
        }
        double score = Math.abs(best.z());
        double tests = 2.0 * WatermarkCode.PERIOD * windows.size();
        double fap = Math.min(1, tests * GaussianTail.q(score));
        if (fap > DETECTION_FALSE_ALARM) {
            return WatermarkDetection.none(score, fap);
        }
        int polarity = best.z() >= 0 ? 1 : -1;
        WatermarkPayload payload =
                decodePayload(lagSearch.bitScores(best.folded(), best.lag(), polarity));
        double[] span = span(v, best.lag(), polarity);
        return new WatermarkDetection(true, score, fap, payload, span[0], span[1]);
    }

    /** The whole clip, plus 4 s windows every 2 s when it is longer than 6 s. */
    private static List<int[]> windows(int length) {
        List<int[]> windows = new ArrayList<>();
        windows.add(new int[] {0, length});
        int window = 4 * RATE;
        int hop = 2 * RATE;
        if (length > 6 * RATE) {
            for (int start = 0; start + hop < length; start += hop) {
                windows.add(new int[] {start, Math.min(length, start + window)});
            }
        }
        return windows;
    }

    private static WatermarkPayload decodePayload(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(Math.abs(scores[a]), Math.abs(scores[b])));
        for (int flips = 0; flips < (1 << CHASE_BITS); flips++) {
            boolean[] bits = new boolean[scores.length];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = scores[i] > 0;
            }
            for (int j = 0; j < CHASE_BITS; j++) {
                if ((flips >>> j & 1) == 1) {
                    bits[order[j]] = !bits[order[j]];
                }
            }
            int word = 0;
            for (int i = 0; i < WatermarkCode.PAYLOAD_BITS; i++) {
                word = (word << 1) | (bits[i] ? 1 : 0);
            }
            if (Arrays.equals(WatermarkCode.codedBits(word), bits)) {
                return WatermarkPayload.fromBits(word);
            }
        }
        return null;
    }

    /** First and last 0.5 s segment (in seconds) whose own sync correlation passes SEGMENT_Z. */
    private double[] span(double[] v, int lag, int polarity) {
        int segment = (int) (SEGMENT_SECONDS * RATE);
        double first = -1;
        double last = -1;
        for (int start = 0; start < v.length; start += segment) {
            int end = Math.min(v.length, start + segment);
            double sum = 0;
            double energy = 0;
            for (int i = start; i < end; i++) {
                int chip = (i + lag) % WatermarkCode.PERIOD;
                if (code.role[chip] == WatermarkCode.SYNC) {
                    sum += v[i] * code.sign[chip];
                    energy += v[i] * v[i];
                }
            }
            if (energy > 0 && polarity * sum / Math.sqrt(energy) > SEGMENT_Z) {
                first = first < 0 ? start : first;
                last = end;
            }
        }
        if (first < 0) {
            return new double[] {0, v.length / (double) RATE};
        }
        return new double[] {first / RATE, last / RATE};
    }
}
