package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.csmserver.nn.CausalConv1d;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * SEANet encoder (moshi {@code SEANetEncoder}, csm-spec §5.3): {@code [B, 1, L]} 24 kHz samples to
 * {@code [B, dimension, ceil(L / hop)]} 25 Hz latents. Module indices follow moshi's {@code
 * encoder.model.{i}} so the canonical weight names line up.
 */
final class SeanetEncoder {
    private final CausalConv1d first;
    private final List<SeanetResBlock[]> stageBlocks = new ArrayList<>();
    private final List<CausalConv1d> stageDownsample = new ArrayList<>();
    private final CausalConv1d last;

    SeanetEncoder(MimiConfig c, CodecWeights w) {
        int idx = 0;
        long channels = c.nFilters();
        first = w.conv("encoder." + idx++, channels, 1, c.kernelSize(), 1, 1, true, false);
        List<Integer> ratios = new ArrayList<>(c.ratios());
        Collections.reverse(ratios);
        for (int ratio : ratios) {
            SeanetResBlock[] blocks = new SeanetResBlock[c.nResidualLayers()];
            for (int j = 0; j < blocks.length; j++) {
                blocks[j] = resBlock(c, w, "encoder." + idx++, channels, j);
            }
            stageBlocks.add(blocks);
            idx++; // ELU
            stageDownsample.add(
                    w.conv(
                            "encoder." + idx++,
                            channels * 2,
                            channels,
                            2L * ratio,
                            ratio,
                            1,
                            true,
                            false));
            channels *= 2;
        }
        idx++; // ELU
        last =
                w.conv(
                        "encoder." + idx,
                        c.dimension(),
                        channels,
                        c.lastKernelSize(),
                        1,
                        1,
                        true,
                        false);
    }

    static SeanetResBlock resBlock(MimiConfig c, CodecWeights w, String name, long dim, int j) {
        long hidden = dim / c.compress();
        int dilation = (int) Math.pow(c.dilationBase(), j);
        return new SeanetResBlock(
                w.conv(
                        name + ".block.1",
                        hidden,
                        dim,
                        c.residualKernelSize(),
                        1,
                        dilation,
                        true,
                        false),
                w.conv(name + ".block.3", dim, hidden, 1, 1, 1, true, false));
    }

    /**
     * {@code x [B, 1, L]} → {@code [B, dimension, ceil(L / hop)]}. Each intermediate is closed once
     * the next exists, so a long clip holds only a few full-rate arrays at a time.
     */
    NDArray forward(NDArray x) {
        NDArray h = first.forward(x);
        for (int s = 0; s < stageBlocks.size(); s++) {
            for (SeanetResBlock block : stageBlocks.get(s)) {
                h = replace(h, block.forward(h));
            }
            NDArray a = replace(h, Activation.elu(h, 1f));
            h = replace(a, stageDownsample.get(s).forward(a));
        }
        NDArray a = replace(h, Activation.elu(h, 1f));
        return replace(a, last.forward(a));
    }

    /**
     * The next samples {@code x [B, 1, n]} of a signal whose earlier samples went through the same
     * {@code state}; {@code end} completes the final windows with the offline padding, so the steps
     * of a chunked signal concatenate to {@link #forward} of the whole. Only the strided
     * downsampling convs have a right padding; every other conv has stride 1.
     */
    NDArray step(NDArray x, StreamState state, boolean end) {
        NDArray h = first.step(x, state.nextTail());
        for (int s = 0; s < stageBlocks.size(); s++) {
            for (SeanetResBlock block : stageBlocks.get(s)) {
                h = block.step(h, state);
            }
            CausalConv1d down = stageDownsample.get(s);
            NDArray a = Activation.elu(h, 1f);
            h = end ? down.finish(a, state.nextTail()) : down.step(a, state.nextTail());
        }
        return last.step(Activation.elu(h, 1f), state.nextTail());
    }

    private static NDArray replace(NDArray consumed, NDArray next) {
        consumed.close();
        return next;
    }
}
