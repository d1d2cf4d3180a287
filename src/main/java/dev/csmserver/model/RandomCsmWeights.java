package dev.csmserver.model;

import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.weights.FloatSlices;
import dev.csmserver.weights.HostTensor;
import dev.csmserver.weights.Weights;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Random weights of any {@link CsmConfig} under the canonical (original) names, deterministic from
 * a seed: projections uniform with std {@code 1/sqrt(fan_in)}, norm scales near 1, embeddings with
 * std 1. Each tensor is generated lazily when the model loads it, so the JVM never holds the whole
 * set. For benches with real CSM-1B shapes and the clearly-labelled demo model; they say nothing
 * (random noise).
 */
public final class RandomCsmWeights {
    private RandomCsmWeights() {}

    public static Weights weights(CsmConfig config, long seed) {
        return new Weights(tensors(config, seed));
    }

    /** Canonical name to lazy random tensor. */
    public static Map<String, HostTensor> tensors(CsmConfig c, long seed) {
        Map<String, HostTensor> out = new TreeMap<>();
        stack(out, "backbone", c.backbone(), seed);
        stack(out, "decoder", c.decoder(), seed);
        int d = c.backbone().embedDim();
        int v = c.audioVocabSize();
        int k = c.numCodebooks();
        int dd = c.decoder().embedDim();
        put(out, "text_embeddings.weight", seed, 1.0, 0, c.textVocabSize(), d);
        put(out, "audio_embeddings.weight", seed, 1.0, 0, (long) v * k, d);
        put(out, "projection.weight", seed, 1 / Math.sqrt(d), 0, dd, d);
        put(out, "codebook0_head.weight", seed, 1 / Math.sqrt(d), 0, v, d);
        put(out, "audio_head", seed, 1 / Math.sqrt(dd), 0, k - 1, dd, v);
        return out;
    }

    private static void stack(
            Map<String, HostTensor> out, String prefix, LlamaConfig c, long seed) {
        int d = c.embedDim();
        int in = 1;
        for (int i = 0; i < c.numLayers(); i++) {
            String p = prefix + ".layers." + i + ".";
            put(out, p + "attn.q_proj.weight", seed, 1 / Math.sqrt(d), 0, c.qDim(), d);
            put(out, p + "attn.k_proj.weight", seed, 1 / Math.sqrt(d), 0, c.kvDim(), d);
            put(out, p + "attn.v_proj.weight", seed, 1 / Math.sqrt(d), 0, c.kvDim(), d);
            put(out, p + "attn.output_proj.weight", seed, 1 / Math.sqrt(c.qDim()), 0, d, c.qDim());
            put(out, p + "mlp.w1.weight", seed, 1 / Math.sqrt(d), 0, c.intermediateDim(), d);
            put(
                    out,
                    p + "mlp.w2.weight",
                    seed,
                    1 / Math.sqrt(c.intermediateDim()),
                    0,
                    d,
                    c.intermediateDim());
            put(out, p + "mlp.w3.weight", seed, 1 / Math.sqrt(d), 0, c.intermediateDim(), d);
            put(out, p + "sa_norm.scale", seed, 0.1, in, d);
            put(out, p + "mlp_norm.scale", seed, 0.1, in, d);
        }
        put(out, prefix + ".norm.scale", seed, 0.1, in, d);
    }

    /** Uniform values of standard deviation {@code std} around {@code mean}. */
    private static void put(
            Map<String, HostTensor> out,
            String name,
            long seed,
            double std,
            double mean,
            long... shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        int size = Math.toIntExact(n);
        long tensorSeed = seed * 0x9E3779B97F4A7C15L + name.hashCode();
        float half = (float) (std * Math.sqrt(3.0));
        float centre = (float) mean;
        out.put(
                name,
                new HostTensor(
                        shape,
                        () -> {
                            float[] data = new float[size];
                            fill(tensorSeed, half, centre, size)
                                    .emit(
                                            size,
                                            (v, off, count) ->
                                                    System.arraycopy(v, off, data, 0, count));
                            return data;
                        },
                        fill(tensorSeed, half, centre, size)));
    }

    /** The tensor's values generated in order, a slice at a time (no whole-tensor array). */
    private static FloatSlices fill(long tensorSeed, float half, float centre, int size) {
        return (max, sink) -> {
            SplittableRandom r = new SplittableRandom(tensorSeed);
            float[] buf = new float[Math.min(size, max)];
            for (int at = 0; at < size; at += buf.length) {
                int count = Math.min(buf.length, size - at);
                for (int i = 0; i < count; i++) {
                    buf[i] = centre + half * (2f * r.nextFloat() - 1f);
                }
                sink.accept(buf, 0, count);
            }
        };
    }
}
