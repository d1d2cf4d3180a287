package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.csmserver.nn.CausalConv1d;
import dev.csmserver.nn.CausalConvTranspose1d;
import java.util.ArrayList;
import java.util.List;

/**
 * SEANet decoder (moshi {@code SEANetDecoder}, csm-spec §5.4): {@code [B, dimension, T25]} latents
 * to {@code [B, 1, T25 * hop]} samples. Every layer is causal with stride 1 or a transposed conv,
 * so one {@link #step} over all steps with a fresh {@link StreamState} is the offline decode, and
 * successive steps with a carried state produce exactly the same samples.
 */
final class SeanetDecoder {
    private final CausalConv1d first;
    private final List<CausalConvTranspose1d> stageUpsample = new ArrayList<>();
    private final List<SeanetResBlock[]> stageBlocks = new ArrayList<>();
    private final CausalConv1d last;

    SeanetDecoder(MimiConfig c, CodecWeights w) {
        int idx = 0;
        long channels = (long) c.nFilters() << c.ratios().size();
        first =
                w.conv(
                        "decoder." + idx++,
                        channels,
                        c.dimension(),
                        c.kernelSize(),
                        1,
                        1,
                        true,
                        false);
        for (int ratio : c.ratios()) {
            idx++; // ELU
            stageUpsample.add(
                    w.convTranspose(
                            "decoder." + idx++,
                            channels,
                            channels / 2,
                            2L * ratio,
                            ratio,
                            1,
                            true));
            channels /= 2;
            SeanetResBlock[] blocks = new SeanetResBlock[c.nResidualLayers()];
            for (int j = 0; j < blocks.length; j++) {
                blocks[j] = SeanetEncoder.resBlock(c, w, "decoder." + idx++, channels, j);
            }
            stageBlocks.add(blocks);
        }
        idx++; // ELU
        last = w.conv("decoder." + idx, 1, channels, c.lastKernelSize(), 1, 1, true, false);
    }

    /**
     * The next {@code T25} latent steps {@code [B, dimension, T25]} → {@code [B, 1, T25 * hop]}.
     */
    NDArray step(NDArray x, StreamState state) {
        NDArray h = first.step(x, state.nextTail());
        for (int s = 0; s < stageUpsample.size(); s++) {
            h = stageUpsample.get(s).step(Activation.elu(h, 1f), state.nextTail());
            for (SeanetResBlock block : stageBlocks.get(s)) {
                h = block.step(h, state);
            }
        }
        return last.step(Activation.elu(h, 1f), state.nextTail());
    }
}
