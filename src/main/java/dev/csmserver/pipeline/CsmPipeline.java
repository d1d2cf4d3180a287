package dev.csmserver.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.watermark.StreamingWatermarker;
import dev.csmserver.codec.Mimi;
import dev.csmserver.model.CsmModel;
import dev.csmserver.model.GenerationState;
import dev.csmserver.nn.RowParallel;
import dev.csmserver.tokenizer.TextTokenizer;
import dev.csmserver.tokenizer.TokenizerException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Joins tokenizer, CSM model, Mimi and the watermark. {@link #start} prefills one request, {@link
 * #step} advances a batch of requests by one frame each (one batched model step), then decodes each
 * request's new frame with its own streaming Mimi decoder (the decoders of the batch in one batched
 * pass), watermarks it and hands the PCM to its sink. Everything but {@link #promptRows} and {@link
 * #info} must run on one thread (the inference worker, or the CLI's main thread).
 */
public final class CsmPipeline implements AutoCloseable {
    private final NDManager weightsManager;
    private final TextTokenizer tokenizer;
    private final PromptBuilder prompts;
    private final CsmGenerator generator;
    private final Mimi mimi;
    private final StreamingWatermarker watermark;
    private final ModelInfo info;
    private final List<BuiltInVoice> voices;
    private final ReadingPlanner planner;
    private volatile PartPolicy partPolicy = PartPolicy.DEFAULT;

    /**
     * Plans made while a request was checked (on its HTTP thread), kept until the request is
     * collected, so the inference thread does not tokenize a long text again while every stream
     * waits.
     */
    private final Map<GenerationRequest, ReadingPlan> plans = new WeakHashMap<>();

    private PartPolicy cachedPolicy;

    /**
     * 1 for real models; the demo's random codec is far too loud, so its output is scaled (before
     * the mark).
     */
    private final float outputGain;

    CsmPipeline(
            NDManager weightsManager,
            TextTokenizer tokenizer,
            CsmModel model,
            Mimi mimi,
            StreamingWatermarker watermark,
            String label,
            boolean demo,
            List<BuiltInVoice> voices) {
        if (model.config().numCodebooks() != mimi.config().numCodebooks()) {
            throw new IllegalArgumentException(
                    "CSM uses "
                            + model.config().numCodebooks()
                            + " codebooks but Mimi "
                            + mimi.config().numCodebooks());
        }
        this.weightsManager = weightsManager;
        this.tokenizer = tokenizer;
        this.prompts = new PromptBuilder(tokenizer, model.config().numCodebooks());
        this.generator = new CsmGenerator(model, tokenizer);
        this.planner = generator.planner();
        this.mimi = mimi;
        this.watermark = watermark;
        this.outputGain = demo ? DemoModel.OUTPUT_GAIN : 1f;
        this.voices = List.copyOf(voices);
        Device device = weightsManager.getDevice();
        this.info =
                new ModelInfo(
                        label,
                        demo,
                        device.toString(),
                        mimi.config().sampleRateHz(),
                        mimi.config().frameSize(),
                        model.config().numCodebooks(),
                        mimi.config().codebookSize(),
                        model.config().maxContext());
    }

    /** Loads weights, tokenizer and codec as {@code options} say (see {@link PipelineLoader}). */
    public static CsmPipeline load(PipelineOptions options) {
        return load(options, LoadProgress.NONE);
    }

    /** As {@link #load(PipelineOptions)}, reporting each phase of the load to {@code progress}. */
    public static CsmPipeline load(PipelineOptions options, LoadProgress progress) {
        return PipelineLoader.load(options, progress);
    }

    public ModelInfo info() {
        return info;
    }

    /**
     * The model folder's published voice prompts, encoded once at load (none for the demo model).
     */
    public List<BuiltInVoice> voices() {
        return voices;
    }

    /** How long texts are read in parts from now on (the {@code csm.long-text.*} settings). */
    public void partPolicy(PartPolicy policy) {
        this.partPolicy = policy;
        synchronized (plans) {
            plans.clear();
        }
    }

    public PartPolicy partPolicy() {
        return partPolicy;
    }

    /**
     * How {@code request} will be read: its parts (one for a text that fits one); thread-safe.
     * Throws {@link PromptTooLongException} when the request's context leaves no room for a part
     * and its audio, or a one-part text and its requested audio do not fit the backbone's context
     * (the rule {@link CsmGenerator#prefill} applies).
     */
    public ReadingPlan plan(GenerationRequest request) {
        PartPolicy policy = partPolicy;
        synchronized (plans) {
            ReadingPlan cached = plans.get(request);
            if (cached != null && policy.equals(cachedPolicy)) {
                return cached;
            }
        }
        ReadingPlan plan = planner.plan(request, policy);
        synchronized (plans) {
            plans.put(request, plan);
            cachedPolicy = policy;
        }
        return plan;
    }

    /**
     * Prompt rows of the request's first part (context segments, earlier parts and its text);
     * thread-safe. Throws {@link PromptTooLongException} as {@link #plan} does.
     */
    public int promptRows(GenerationRequest request) {
        ReadingPlan plan = plan(request);
        GenerationRequest first = planner.partRequest(request, plan, partPolicy, 0, List.of(), 0);
        try {
            return prompts.build(first.context(), first.speaker(), first.text()).rows();
        } catch (TokenizerException e) {
            throw new PromptTooLongException(
                    tokenizer.maxTokens() + 1, first.maxFrames(), info.contextLimit());
        }
    }

    /**
     * Prefills {@code request}'s prompt (of its first part, for a long text); its first frame comes
     * from the next {@link #step}, with the rest of the batch.
     */
    public Generation start(GenerationRequest request, ChunkSink sink) {
        return startAll(List.of(request), List.of(sink)).get(0);
    }

    /**
     * {@link #start} for several requests at once, {@code sinks.get(i)} for {@code
     * requests.get(i)}: their prompts are prefilled as one packed pass. All or nothing (see {@link
     * CsmGenerator#prefill}).
     */
    public List<Generation> startAll(List<GenerationRequest> requests, List<ChunkSink> sinks) {
        PartPolicy policy = partPolicy;
        List<ReadingPlan> readings = new ArrayList<>(requests.size());
        List<GenerationRequest> firsts = new ArrayList<>(requests.size());
        for (GenerationRequest r : requests) {
            ReadingPlan plan = plan(r);
            readings.add(plan);
            firsts.add(planner.partRequest(r, plan, policy, 0, List.of(), 0));
        }
        List<GenerationState> states = generator.prefill(firsts);
        List<Generation> out = new ArrayList<>(states.size());
        try {
            for (int i = 0; i < states.size(); i++) {
                out.add(
                        new Generation(
                                requests.get(i),
                                readings.get(i),
                                states.get(i),
                                firsts.get(i).maxFrames(),
                                mimi.newStreamDecoder(weightsManager),
                                watermark.newStream(),
                                sinks.get(i),
                                info.codebookSize(),
                                info.sampleRateHz(),
                                outputGain));
            }
            return out;
        } catch (RuntimeException | Error e) {
            out.forEach(Generation::close);
            CsmGenerator.closeAll(states.subList(out.size(), states.size()));
            throw e;
        }
    }

    /**
     * Starts the next part of {@code g}, which is {@link Generation#betweenParts()}: builds its
     * prompt (the request's context, the latest earlier parts, its text) and prefills it; its
     * frames then go on in the same codec and watermark streams. On failure {@code g} stays between
     * parts (the caller ends it).
     */
    public void nextPart(Generation g) {
        generator.nextPart(g, partPolicy);
    }

    /**
     * Makes room for {@code requests} generating at once (the server's batch limit) up front, so no
     * request pays for growing the model's per-request storage mid-stream.
     */
    public void reserveRequests(int requests) {
        generator.model().reserveRequests(requests);
    }

    /** Generates one frame for every running generation in {@code batch} and sends its audio. */
    public void step(List<Generation> batch) {
        generator.step(batch);
    }

    /**
     * Encodes {@code audio}, already at the codec's rate, with Mimi: codes {@code [K][T]}, all
     * chunks at once (CLI, load time). The server encodes through {@link #startEncode} instead.
     */
    public int[][] encode(Pcm audio) {
        try (ContextEncode encode = startEncode(audio)) {
            while (!encode.step()) {
                // the next chunk
            }
            return encode.codes();
        }
    }

    /**
     * Starts encoding {@code audio}, already at the codec's rate, one chunk per {@link
     * ContextEncode#step}. Resampling is the caller's job ({@link
     * dev.csmserver.audio.SincResampler}), done before the audio reaches the inference thread: a
     * long clip at an odd rate would otherwise stall every running stream.
     */
    public ContextEncode startEncode(Pcm audio) {
        if (audio.sampleRateHz() != info.sampleRateHz()) {
            throw new IllegalArgumentException(
                    "audio at "
                            + audio.sampleRateHz()
                            + " Hz must be resampled to the "
                            + "codec's "
                            + info.sampleRateHz()
                            + " Hz before it is encoded");
        }
        return new ContextEncode(mimi.newStreamEncoder(weightsManager, audio.samples()));
    }

    /** The generator it runs its requests with (tests compare its codes-only path). */
    CsmGenerator generator() {
        return generator;
    }

    /** Runs one request to the end on the calling thread (CLI, warm-up, tests). */
    public FinishReason generate(GenerationRequest request, ChunkSink sink) {
        try (Generation g = start(request, sink)) {
            return generator.runToEnd(g, partPolicy);
        }
    }

    /**
     * Native arrays alive under the model's manager (weights plus live requests); tests check it
     * returns to baseline.
     */
    public int liveArrayCount() {
        return weightsManager.getManagedArrays().size();
    }

    @Override
    public void close() {
        try {
            mimi.close();
            tokenizer.close();
        } finally {
            RowParallel.of(weightsManager).close(); // the pool PipelineLoader attached
            weightsManager.close();
        }
    }
}
