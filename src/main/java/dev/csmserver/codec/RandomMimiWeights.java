package dev.csmserver.codec;

import dev.csmserver.weights.HostTensor;
import dev.csmserver.weights.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Deterministic random weights, under the canonical names, for any {@link MimiConfig}: for benches
 * at the real shapes and for the service's demo model (clearly not a trained codec: it produces
 * noise-like audio). Each tensor is generated lazily from {@code seed} and its name, so the same
 * seed always gives the same model. Scales keep activations near unit size (fan-in scaled uniform
 * values, unit LayerNorm, 0.01 layer scale).
 */
public final class RandomMimiWeights {
    private final MimiConfig config;
    private final long seed;
    private final Map<String, HostTensor> tensors = new TreeMap<>();

    private RandomMimiWeights(MimiConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    /** The canonical weights of a random Mimi with {@code config}'s shapes. */
    public static Weights create(MimiConfig config, long seed) {
        RandomMimiWeights r = new RandomMimiWeights(config, seed);
        r.seanet();
        r.transformer("encoder_transformer");
        r.transformer("decoder_transformer");
        r.quantizer();
        return new Weights(r.tensors);
    }

    private void seanet() {
        MimiConfig c = config;
        int idx = 0;
        long ch = c.nFilters();
        conv("encoder." + idx++, ch, 1, c.kernelSize(), true);
        List<Integer> reversed = new ArrayList<>(c.ratios());
        Collections.reverse(reversed);
        for (int ratio : reversed) {
            for (int j = 0; j < c.nResidualLayers(); j++) {
                resBlock("encoder." + idx++, ch);
            }
            idx++;
            conv("encoder." + idx++, ch * 2, ch, 2L * ratio, true);
            ch *= 2;
        }
        idx++;
        conv("encoder." + idx, c.dimension(), ch, c.lastKernelSize(), true);
        idx = 0;
        ch = (long) c.nFilters() << c.ratios().size();
        conv("decoder." + idx++, ch, c.dimension(), c.kernelSize(), true);
        for (int ratio : c.ratios()) {
            idx++;
            // transposed conv [Cin, Cout, k]: fan-in per output sample is Cin * k / stride
            uniform(
                    "decoder." + idx + ".weight",
                    Math.sqrt(ratio / (double) (ch * 2 * ratio)),
                    ch,
                    ch / 2,
                    2L * ratio);
            uniform("decoder." + idx++ + ".bias", 0.01, ch / 2);
            ch /= 2;
            for (int j = 0; j < c.nResidualLayers(); j++) {
                resBlock("decoder." + idx++, ch);
            }
        }
        idx++;
        conv("decoder." + idx, 1, ch, c.lastKernelSize(), true);
        long d = c.dimension();
        conv("downsample", d, d, 2L * c.frameRateStride(), false);
        uniform("upsample.weight", 1.0 / Math.sqrt(2), d, 1, 2L * c.frameRateStride());
    }

    private void resBlock(String name, long dim) {
        long hidden = dim / config.compress();
        conv(name + ".block.1", hidden, dim, config.residualKernelSize(), true);
        conv(name + ".block.3", dim, hidden, 1, true);
    }

    private void conv(String name, long out, long in, long k, boolean bias) {
        uniform(name + ".weight", 1.0 / Math.sqrt(in * k), out, in, k);
        if (bias) {
            uniform(name + ".bias", 0.01, out);
        }
    }

    private void transformer(String name) {
        long d = config.dimension();
        long f = config.dimFeedforward();
        for (int l = 0; l < config.numLayers(); l++) {
            String p = name + ".layers." + l + ".";
            uniform(p + "in_proj.weight", 1.0 / Math.sqrt(d), 3 * d, d);
            uniform(p + "out_proj.weight", 1.0 / Math.sqrt(d), d, d);
            uniform(p + "linear1.weight", 1.0 / Math.sqrt(d), f, d);
            uniform(p + "linear2.weight", 1.0 / Math.sqrt(f), d, f);
            for (String norm : new String[] {"norm1", "norm2"}) {
                constant(p + norm + ".weight", 1f, d);
                constant(p + norm + ".bias", 0f, d);
            }
            constant(p + "layer_scale_1", 0.01f, d);
            constant(p + "layer_scale_2", 0.01f, d);
        }
    }

    private void quantizer() {
        long d = config.dimension();
        long dq = config.codebookDim();
        for (String group : new String[] {"first", "rest"}) {
            uniform("quantizer." + group + ".input_proj.weight", 1.0 / Math.sqrt(d), dq, d, 1);
            uniform("quantizer." + group + ".output_proj.weight", 1.0 / Math.sqrt(dq), d, dq, 1);
        }
        uniform("quantizer.first.codebook.0", 1.0, config.codebookSize(), dq);
        for (int q = 0; q < config.numCodebooks() - 1; q++) {
            uniform("quantizer.rest.codebook." + q, 1.0 / (q + 1), config.codebookSize(), dq);
        }
    }

    /** Uniform values with standard deviation {@code std}. */
    private void uniform(String name, double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        int size = Math.toIntExact(n);
        long tensorSeed = seed * 0x9E3779B97F4A7C15L + name.hashCode();
        double half = std * Math.sqrt(3);
        tensors.put(
                name,
                new HostTensor(
                        shape,
                        () -> {
                            SplittableRandom rng = new SplittableRandom(tensorSeed);
                            float[] data = new float[size];
                            for (int i = 0; i < size; i++) {
                                data[i] = (float) ((rng.nextDouble() * 2 - 1) * half);
                            }
                            return data;
                        }));
    }

    private void constant(String name, float value, long size) {
        tensors.put(
                name,
                new HostTensor(
                        new long[] {size},
                        () -> {
                            float[] data = new float[(int) size];
                            Arrays.fill(data, value);
                            return data;
                        }));
    }
}
