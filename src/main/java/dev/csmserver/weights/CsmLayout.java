package dev.csmserver.weights;

import java.util.Set;

/**
 * Where a CSM checkpoint came from. The layout is detected from the tensor names, never configured:
 * the original Sesame layout ({@code backbone.layers.*}, interleaved RoPE q/k) or the transformers
 * {@code CsmForConditionalGeneration} layout ({@code backbone_model.layers.*}, q/k permuted to
 * rotate-half). Both are mapped to the original names by {@link CsmCheckpoint}.
 */
public enum CsmLayout {
    /** SesameAILabs/csm {@code Model.state_dict()} (spec 6.1); the canonical key set. */
    ORIGINAL,
    /** transformers {@code CsmForConditionalGeneration} (spec 6.2). */
    TRANSFORMERS;

    /**
     * Detects the layout from the stored names; a set matching neither is a {@link
     * WeightsException}.
     */
    public static CsmLayout detect(Set<String> names) {
        boolean original =
                names.contains("codebook0_head.weight")
                        || names.stream().anyMatch(n -> n.startsWith("backbone.layers."));
        boolean hf =
                names.contains("lm_head.weight")
                        || names.stream().anyMatch(n -> n.startsWith("backbone_model.layers."));
        if (original && !hf) {
            return ORIGINAL;
        }
        if (hf && !original) {
            return TRANSFORMERS;
        }
        throw new WeightsException(
                "not a CSM checkpoint: tensor names match "
                        + (hf
                                ? "both the original and the transformers layout"
                                : "neither the original nor the transformers layout")
                        + " ("
                        + names.size()
                        + " tensors)");
    }
}
