package dev.csmserver.audio.watermark;

/**
 * The detector's verdict on one clip.
 *
 * @param detected whether the false-alarm probability is at or below {@link
 *     WatermarkDetector#DETECTION_FALSE_ALARM}
 * @param score the best normalised correlation (a z-score: about N(0, 1) per lag on unmarked audio;
 *     marked speech scores tens)
 * @param falseAlarmProbability probability that unmarked audio scores at least this high anywhere
 *     in the search (union bound over lags, polarities and windows of the Gaussian tail)
 * @param payload the recovered payload when its CRC checks, else {@code null}
 * @param startSeconds start of the span where the mark was found (0 when not detected)
 * @param endSeconds end of that span (0 when not detected)
 */
public record WatermarkDetection(
        boolean detected,
        double score,
        double falseAlarmProbability,
        WatermarkPayload payload,
        double startSeconds,
        double endSeconds) {

    /** Whether a payload was recovered (it is only recovered from detected marks). */
    public boolean hasPayload() {
        return payload != null;
    }

    static WatermarkDetection none(double score, double falseAlarmProbability) {
        return new WatermarkDetection(false, score, falseAlarmProbability, null, 0, 0);
    }
}
