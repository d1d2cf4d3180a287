package dev.csmserver.queue;

import dev.csmserver.audio.Pcm;
import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.ContextEncode;
import dev.csmserver.pipeline.CsmPipeline;

/**
 * A context encode on the inference thread: its first turn starts it, every turn encodes one chunk
 * (2.56 s of audio); a future cancelled by its caller (timed out) ends it at its next turn.
 */
final class EncodeTask extends WorkerTasks.Task<int[][]> {
    private final CsmPipeline pipeline;
    private final InferenceMetrics metrics;
    private final Pcm audio;
    private ContextEncode encode;

    EncodeTask(CsmPipeline pipeline, InferenceMetrics metrics, Pcm audio) {
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.audio = audio;
    }

    @Override
    boolean turn() {
        if (result.isDone()) {
            return true;
        }
        if (encode == null) {
            encode = pipeline.startEncode(audio);
        }
        boolean done = encode.step();
        metrics.encodeChunk();
        if (done) {
            result.complete(encode.codes());
        }
        return done;
    }

    @Override
    void close() {
        if (encode != null) {
            encode.close();
        }
    }
}
