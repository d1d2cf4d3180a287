package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.csmserver.nn.CausalConv1d;

/**
 * SEANet residual block (moshi {@code SEANetResnetBlock}, true skip): {@code x + conv_1x1(elu(
 * conv_k(elu(x))))}, the first conv narrowing to {@code dim / compress} channels.
 */
final class SeanetResBlock {
    private final CausalConv1d conv1; // block.1: [dim / compress, dim, k]
    private final CausalConv1d conv2; // block.3: [dim, dim / compress, 1]

    SeanetResBlock(CausalConv1d conv1, CausalConv1d conv2) {
        this.conv1 = conv1;
        this.conv2 = conv2;
    }

    /**
     * Offline, {@code x [B, dim, T]}. Temporaries are freed as soon as they are consumed: at 24 kHz
     * they are the largest arrays of an encode and would otherwise pile up until the call's scope.
     */
    NDArray forward(NDArray x) {
        NDArray a = Activation.elu(x, 1f);
        NDArray h = conv1.forward(a);
        a.close();
        NDArray b = Activation.elu(h, 1f);
        h.close();
        NDArray y = conv2.forward(b);
        b.close();
        NDArray out = x.add(y);
        y.close();
        return out;
    }

    /** Streaming, with this block's conv tails taken from {@code state}. */
    NDArray step(NDArray x, StreamState state) {
        NDArray h = conv1.step(Activation.elu(x, 1f), state.nextTail());
        return x.add(conv2.step(Activation.elu(h, 1f), state.nextTail()));
    }
}
