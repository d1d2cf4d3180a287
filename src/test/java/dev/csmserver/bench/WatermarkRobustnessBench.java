package dev.csmserver.bench;

import dev.csmserver.audio.watermark.Attacks;
import dev.csmserver.audio.watermark.NullSignals;
import dev.csmserver.audio.watermark.SpeechClips;
import dev.csmserver.audio.watermark.StreamingWatermarker;
import dev.csmserver.audio.watermark.WatermarkDetection;
import dev.csmserver.audio.watermark.WatermarkDetector;
import dev.csmserver.audio.watermark.WatermarkKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Prints the watermark's true-positive rate after each attack (and all chained), its false-positive
 * rate on unmarked speech, noise and music-like signals, the SNR distribution and the costs. Usage:
 * {@code WatermarkRobustnessBench [clips=200] [seed=1]}. Needs espeak-ng. Prints, never asserts.
 */
public final class WatermarkRobustnessBench {
    private WatermarkRobustnessBench() {}

    public static void main(String[] args) {
        int clips = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        WatermarkKey key = WatermarkKey.defaultKey();
        WatermarkDetector detector = new WatermarkDetector(key);
        StreamingWatermarker proto = new StreamingWatermarker(key);
        long t0 = System.nanoTime();
        List<float[]> speech = SpeechClips.generate(clips, seed);
        double seconds = 0;
        for (float[] x : speech) {
            seconds += x.length / 24_000.0;
        }
        System.out.printf(
                "clips: %d espeak-ng utterances, %.1f s of speech (mean %.2f s), generated in %.0f s%n",
                clips, seconds, seconds / clips, (System.nanoTime() - t0) / 1e9);

        Map<String, int[]> hits = new LinkedHashMap<>();
        Map<String, List<Double>> scores = new LinkedHashMap<>();
        double[] snr = new double[clips];
        long markNs = 0;
        long markedSamples = 0;
        long detectNs = 0;
        int detections = 0;
        for (int i = 0; i < clips; i++) {
            float[] x = speech.get(i);
            StreamingWatermarker marker = proto.newStream();
            float[] y = new float[x.length];
            long m0 = System.nanoTime();
            for (int off = 0; off < x.length; off += 1920) {
                float[] chunk =
                        marker.mark(Arrays.copyOfRange(x, off, Math.min(x.length, off + 1920)));
                System.arraycopy(chunk, 0, y, off, chunk.length);
            }
            markNs += System.nanoTime() - m0;
            markedSamples += x.length;
            snr[i] = Attacks.snrDb(x, y);
            for (Map.Entry<String, UnaryOperator<float[]>> attack :
                    Attacks.all(seed * 1000 + i).entrySet()) {
                float[] attacked = attack.getValue().apply(y);
                long d0 = System.nanoTime();
                WatermarkDetection d = detector.detect(attacked, 24_000);
                detectNs += System.nanoTime() - d0;
                detections++;
                int[] h = hits.computeIfAbsent(attack.getKey(), k -> new int[2]);
                h[0] += d.detected() ? 1 : 0;
                h[1] += d.detected() && key.payload().equals(d.payload()) ? 1 : 0;
                scores.computeIfAbsent(attack.getKey(), k -> new ArrayList<>()).add(d.score());
            }
        }
        System.out.printf(
                "%nTrue positives on marked speech (%d clips), detection threshold: false-alarm probability <= %.0e%n",
                clips, WatermarkDetector.DETECTION_FALSE_ALARM);
        System.out.printf(
                "%-14s %9s %15s %8s %8s %8s%n",
                "attack", "TPR", "TPR+payload", "min z", "p1 z", "median z");
        for (String name : hits.keySet()) {
            int[] h = hits.get(name);
            double[] z =
                    scores.get(name).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(
                    "%-14s %8.2f%% %14.2f%% %8.1f %8.1f %8.1f%n",
                    name,
                    100.0 * h[0] / clips,
                    100.0 * h[1] / clips,
                    z[0],
                    z[(int) (0.01 * (z.length - 1))],
                    z[z.length / 2]);
        }

        System.out.printf("%nFalse positives on unmarked audio%n");
        printFalsePositives("speech", speech, detector);
        List<float[]> noise = new ArrayList<>();
        List<float[]> music = new ArrayList<>();
        for (int i = 0; i < Math.max(clips, 200); i++) {
            noise.add(NullSignals.noise(i, seed));
            music.add(NullSignals.music(i, seed));
        }
        printFalsePositives("noise", noise, detector);
        printFalsePositives("music-like", music, detector);
        List<float[]> otherKey = new ArrayList<>();
        StreamingWatermarker foreign =
                new StreamingWatermarker(
                        WatermarkKey.fromSecret("another deployment's secret", key.payload()));
        for (float[] x : speech) {
            otherKey.add(foreign.newStream().mark(x));
        }
        printFalsePositives("other-key", otherKey, detector);

        Arrays.sort(snr);
        System.out.printf(
                "%nSNR of the mark on speech (dB): min %.2f  p1 %.2f  p5 %.2f  median %.2f  max %.2f  (%.1f%% >= 30 dB)%n",
                snr[0],
                snr[(int) (0.01 * (clips - 1))],
                snr[(int) (0.05 * (clips - 1))],
                snr[clips / 2],
                snr[clips - 1],
                100.0 * Arrays.stream(snr).filter(s -> s >= 30).count() / clips);
        double usPerFrame = markNs / 1e3 / (markedSamples / 1920.0);
        System.out.printf(
                "cost: marking %.1f us per 80 ms frame over the run (cold JIT included), %.1f us warm;"
                        + " detection %.1f ms per clip (mean %.2f s)%n",
                usPerFrame,
                warmMarkMicrosPerFrame(proto, speech.get(0)),
                detectNs / 1e6 / detections,
                seconds / clips);
        System.out.printf("total time %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Marks 2 000 frames after 2 000 warm-up frames; returns microseconds per 1920-sample frame.
     */
    private static double warmMarkMicrosPerFrame(StreamingWatermarker proto, float[] x) {
        StreamingWatermarker marker = proto.newStream();
        float[] frame = Arrays.copyOf(x, 1920);
        for (int i = 0; i < 2000; i++) {
            marker.mark(frame);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            marker.mark(frame);
        }
        return (System.nanoTime() - t0) / 1e3 / 2000;
    }

    private static void printFalsePositives(
            String name, List<float[]> signals, WatermarkDetector detector) {
        int positives = 0;
        double maxZ = 0;
        double minFap = 1;
        for (float[] x : signals) {
            WatermarkDetection d = detector.detect(x, 24_000);
            positives += d.detected() ? 1 : 0;
            maxZ = Math.max(maxZ, d.score());
            minFap = Math.min(minFap, d.falseAlarmProbability());
        }
        System.out.printf(
                "%-14s n=%4d  FPR %.2f%%  max z %.2f  min false-alarm probability %.3g%n",
                name, signals.size(), 100.0 * positives / signals.size(), maxZ, minFap);
    }
}
