package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.nn.Linear;
import dev.csmserver.weights.CsmCheckpoint;
import dev.csmserver.weights.Weights;

/** Builds a {@link CsmModel} from canonical weights ({@link CsmModel#load}). */
final class CsmModelLoader {
    private CsmModelLoader() {}

    static CsmModel load(
            CsmConfig config,
            Weights weights,
            NDManager weightsManager,
            DataType weightType,
            Runnable progress) {
        if (weightType != DataType.FLOAT32 && weightType != DataType.FLOAT16) {
            throw new IllegalArgumentException(
                    "weights are float32 or float16 (bf16 aborts DJL 0.36), not " + weightType);
        }
        int d = config.backbone().embedDim();
        int v = config.audioVocabSize();
        int k = config.numCodebooks();
        NDArray text =
                weights.get(
                        weightsManager,
                        "text_embeddings.weight",
                        weightType,
                        config.textVocabSize(),
                        d);
        FrameEmbedder embedder =
                new FrameEmbedder(
                        text,
                        weights.get(
                                weightsManager,
                                "audio_embeddings.weight",
                                weightType,
                                (long) v * k,
                                d),
                        v,
                        k);
        // A transformers checkpoint with tie_codebooks_embeddings=false gives the depth decoder its
        // own audio table; it shares the text table (never read by embedCodes) and the progress
        // step of the frame embedding, so the number of steps does not depend on the checkpoint.
        FrameEmbedder decoderEmbedder =
                !weights.has(CsmCheckpoint.DECODER_AUDIO_EMBEDDINGS)
                        ? embedder
                        : new FrameEmbedder(
                                text,
                                weights.get(
                                        weightsManager,
                                        CsmCheckpoint.DECODER_AUDIO_EMBEDDINGS,
                                        weightType,
                                        (long) v * k,
                                        d),
                                v,
                                k); // [V·K, D]
        progress.run();
        Backbone backbone =
                Backbone.load(
                        weights.sub("backbone"),
                        config.backbone(),
                        weightsManager,
                        weightType,
                        progress);
        Linear c0 =
                Linear.load(
                        weights.host("codebook0_head.weight", v, d), weightsManager, weightType);
        // The depth decoder takes the same type: in float16 on this CPU its 31 steps per frame are
        // 15% faster at batch 1 and 6% slower at batch 4 than in float32 (alternating in-JVM runs),
        // and the weights are then exactly half.
        DepthDecoder decoder =
                DepthDecoder.load(weights, config, weightsManager, weightType, progress);
        return new CsmModel(
                config,
                weightsManager,
                weightType,
                embedder,
                decoderEmbedder,
                backbone,
                c0,
                decoder,
                FrameHeads.create(
                        config, c0, decoder, decoderEmbedder.audioTable(), weightsManager));
    }
}
