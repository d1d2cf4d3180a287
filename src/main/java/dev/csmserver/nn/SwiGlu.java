package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;

/**
 * torchtune {@code FeedForward} with SiLU gating: {@code w2( silu(w1·x) ⊙ (w3·x) )}, with {@code
 * w1} and {@code w3} fused into one {@code [2·I, Dm]} matrix read once per step.
 */
public final class SwiGlu {
    private final Linear w13;
    private final Linear w2;
    private final NDIndex gate;
    private final NDIndex up;

    /** {@code w13 [2·I, Dm]} (w1 rows then w3 rows), {@code w2 [Dm, I]}. */
    public SwiGlu(Linear w13, Linear w2, int intermediateDim) {
        this.w13 = w13;
        this.w2 = w2;
        this.gate = new NDIndex("..., 0:" + intermediateDim);
        this.up = new NDIndex("..., " + intermediateDim + ":" + (2 * intermediateDim));
    }

    /** w13 then w2, for the scripted step ({@link SlabBackbone}). */
    Linear[] linears() {
        return new Linear[] {w13, w2};
    }

    /** {@code x [..., Dm]} float32 → {@code [..., Dm]} float32. */
    public NDArray forward(NDArray x) {
        NDArray h = w13.forward(x); // [..., 2·I]
        NDArray g = h.get(gate);
        NDArray act = g.mul(Activation.sigmoid(g)).mul(h.get(up));
        return w2.forward(act);
    }
}
