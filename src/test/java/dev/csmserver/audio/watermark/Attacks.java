package dev.csmserver.audio.watermark;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.SincResampler;
import dev.csmserver.audio.decode.Mp3Decoder;
import dev.csmserver.audio.encode.Mp3Encoder;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/** The attacks of the watermark's acceptance criteria, on 24 kHz mono audio. */
public final class Attacks {
    static final int RATE = 24_000;

    private Attacks() {}

    /** Every single attack plus the chain, by name, in a stable order; seeded where random. */
    public static Map<String, UnaryOperator<float[]>> all(long seed) {
        Map<String, UnaryOperator<float[]>> attacks = new LinkedHashMap<>();
        attacks.put("none", x -> x);
        attacks.put("resample16k", x -> resample(x, 16_000));
        attacks.put("resample44.1k", x -> resample(x, 44_100));
        attacks.put("mp3-64k", Attacks::mp3);
        attacks.put("noise20dB", x -> noise(x, 20, seed));
        attacks.put("gain+6dB", x -> gain(x, 6));
        attacks.put("gain-6dB", x -> gain(x, -6));
        attacks.put("crop2s", x -> cropMiddle(x, 2.0));
        attacks.put("chained", x -> chained(x, seed));
        return attacks;
    }

    /** Gain -6 dB, 16 kHz and back, 44.1 kHz and back, MP3 64 kbps, noise 20 dB, 2 s crop. */
    public static float[] chained(float[] x, long seed) {
        float[] y = gain(x, -6);
        y = resample(y, 16_000);
        y = resample(y, 44_100);
        y = mp3(y);
        y = noise(y, 20, seed);
        return cropMiddle(y, 2.0);
    }

    /** To {@code midHz} and back to 24 kHz with the torchaudio-equivalent resampler. */
    public static float[] resample(float[] x, int midHz) {
        return SincResampler.resample(SincResampler.resample(x, RATE, midHz), midHz, RATE);
    }

    /** MP3 at 64 kbps (jump3r, LAME) and back; keeps the codec delay, as players do. */
    public static float[] mp3(float[] x) {
        Mp3Encoder encoder = new Mp3Encoder(RATE, 64);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(encoder.start());
        out.writeBytes(encoder.encode(x));
        out.writeBytes(encoder.finish());
        Pcm pcm = Mp3Decoder.decode(out.toByteArray());
        return pcm.samples();
    }

    /** White Gaussian noise {@code snrDb} below the clip's mean power. */
    public static float[] noise(float[] x, double snrDb, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ x.length);
        double power = 0;
        for (float v : x) {
            power += v * v;
        }
        double sigma = Math.sqrt(power / x.length / Math.pow(10, snrDb / 10));
        float[] y = x.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += (float) (sigma * gaussian(random));
        }
        return y;
    }

    public static float[] gain(float[] x, double db) {
        float g = (float) Math.pow(10, db / 20);
        float[] y = new float[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = x[i] * g;
        }
        return y;
    }

    /** The middle {@code seconds} of the clip (all of it when shorter). */
    public static float[] cropMiddle(float[] x, double seconds) {
        int len = Math.min(x.length, (int) Math.round(seconds * RATE));
        int start = (x.length - len) / 2;
        return Arrays.copyOfRange(x, start, start + len);
    }

    /** 10 log10(sum x^2 / sum (y - x)^2). */
    public static double snrDb(float[] x, float[] y) {
        double signal = 0;
        double error = 0;
        for (int i = 0; i < x.length; i++) {
            signal += x[i] * (double) x[i];
            double d = y[i] - (double) x[i];
            error += d * d;
        }
        return 10 * Math.log10(signal / error);
    }

    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
