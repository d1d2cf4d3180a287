package dev.csmserver.audio.watermark;

import java.util.SplittableRandom;

/**
 * Unmarked non-speech signals for false-positive checks: coloured noise and synthetic music (chords
 * and melodies of harmonic tones with envelopes, vibrato and drum-like noise bursts).
 */
public final class NullSignals {
    static final int RATE = 24_000;

    private NullSignals() {}

    /** White, pink-ish or brown-ish noise (by {@code index % 3}), 4 s, seeded. */
    public static float[] noise(int index, long seed) {
        SplittableRandom random = new SplittableRandom(seed * 31 + index);
        float[] x = new float[4 * RATE];
        double level = 0.02 + 0.2 * random.nextDouble();
        double state = 0;
        double pole =
                switch (index % 3) {
                    case 0 -> 0;
                    case 1 -> 0.9;
                    default -> 0.99;
                };
        for (int i = 0; i < x.length; i++) {
            state = pole * state + Attacks.gaussian(random);
            x[i] = (float) (level * state * Math.sqrt(1 - pole * pole));
        }
        return x;
    }

    /** A few seconds of synthetic music: notes of 4-10 harmonics, chords, vibrato, percussion. */
    public static float[] music(int index, long seed) {
        SplittableRandom random = new SplittableRandom(seed * 131 + index);
        float[] x = new float[4 * RATE];
        double beat = 0.15 + 0.35 * random.nextDouble();
        int voices = 1 + random.nextInt(3);
        for (double t = 0; t < 4; t += beat) {
            for (int v = 0; v < voices; v++) {
                double f0 = 110 * Math.pow(2, random.nextInt(36) / 12.0);
                addNote(x, t, beat * (1 + random.nextInt(2)), f0, 4 + random.nextInt(7), random);
            }
            if (random.nextInt(4) == 0) {
                addDrum(x, t, random);
            }
        }
        return x;
    }

    private static void addNote(
            float[] x,
            double startS,
            double lengthS,
            double f0,
            int harmonics,
            SplittableRandom r) {
        int start = (int) (startS * RATE);
        int len = (int) (lengthS * RATE);
        double amp = 0.05 + 0.1 * r.nextDouble();
        double vibrato = r.nextDouble() * 0.01;
        double decay = 1 + 4 * r.nextDouble();
        for (int i = 0; i < len && start + i < x.length; i++) {
            double t = i / (double) RATE;
            double env = Math.min(1, t / 0.01) * Math.exp(-decay * t);
            double phase = 2 * Math.PI * f0 * (t + vibrato / 5 * Math.sin(2 * Math.PI * 5 * t));
            double s = 0;
            for (int h = 1; h <= harmonics && f0 * h < RATE / 2.0; h++) {
                s += Math.sin(h * phase) / h;
            }
            x[start + i] += (float) (amp * env * s);
        }
    }

    private static void addDrum(float[] x, double startS, SplittableRandom r) {
        int start = (int) (startS * RATE);
        double amp = 0.1 + 0.2 * r.nextDouble();
        for (int i = 0; i < RATE / 5 && start + i < x.length; i++) {
            double env = Math.exp(-i / (0.03 * RATE));
            x[start + i] += (float) (amp * env * Attacks.gaussian(r));
        }
    }
}
