package dev.csmserver.pipeline;

import dev.csmserver.audio.Pcm;
import java.util.List;

/**
 * Joins tokenizer, CSM model, Mimi and the watermark. {@link #start} prefills one request,
 * {@link #step} advances a batch of requests by one frame each, decoding and watermarking each
 * request's new frame and handing the PCM to its sink. Everything but {@link #promptRows} and
 * {@link #info} must run on one thread (the inference worker, or the CLI's main thread).
 */
public final class CsmPipeline implements AutoCloseable {
    private final ModelInfo info;

    private CsmPipeline(ModelInfo info) {
        this.info = info;
    }

    /** Loads weights, tokenizer and codec as {@code options} say. */
    public static CsmPipeline load(PipelineOptions options) {
        throw new UnsupportedOperationException("engine not merged yet");
    }

    public ModelInfo info() {
        return info;
    }

    /**
     * Prompt rows the request needs (tokenized text of every segment plus context frames);
     * thread-safe. Throws {@link PromptTooLongException} when rows plus the requested frames do
     * not fit the backbone's context.
     */
    public int promptRows(GenerationRequest request) {
        throw new UnsupportedOperationException("engine not merged yet");
    }

    /** Prefills {@code request}; the returned generation joins the next {@link #step}. */
    public ActiveGeneration start(GenerationRequest request, ChunkSink sink) {
        throw new UnsupportedOperationException("engine not merged yet");
    }

    /** Generates one frame for every not-done generation in {@code batch}. */
    public void step(List<ActiveGeneration> batch) {
        throw new UnsupportedOperationException("engine not merged yet");
    }

    /** Resamples {@code audio} to 24 kHz and encodes it with Mimi: codes {@code [K][T]}. */
    public int[][] encode(Pcm audio) {
        throw new UnsupportedOperationException("engine not merged yet");
    }

    /** Runs one request to the end on the calling thread (CLI, tests). */
    public FinishReason generate(GenerationRequest request, ChunkSink sink) {
        try (ActiveGeneration g = start(request, sink)) {
            while (!g.isDone()) {
                step(List.of(g));
            }
            g.finish(g.doneReason());
            return g.doneReason();
        }
    }

    @Override
    public void close() {}
}
