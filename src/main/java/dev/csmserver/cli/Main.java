package dev.csmserver.cli;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.SincResampler;
import dev.csmserver.audio.WavReader;
import dev.csmserver.audio.WavWriter;
import dev.csmserver.audio.watermark.WatermarkDetection;
import dev.csmserver.audio.watermark.WatermarkDetector;
import dev.csmserver.audio.watermark.WatermarkKey;
import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.BuiltInVoice;
import dev.csmserver.pipeline.ChunkSink;
import dev.csmserver.pipeline.ComputeDevice;
import dev.csmserver.pipeline.ComputePathSetting;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.ModelSource;
import dev.csmserver.pipeline.PipelineOptions;
import dev.csmserver.pipeline.PublishedVoices;
import dev.csmserver.pipeline.SamplingParams;
import dev.csmserver.pipeline.Segment;
import dev.csmserver.pipeline.WeightDtype;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line: {@code generate} speaks one text into a WAV, {@code conversation} runs the
 * reference's four-turn, two-speaker conversation ({@code run_csm.py}) into {@code
 * full_conversation.wav}, {@code detect} checks a WAV for this service's watermark. With no {@code
 * --model-dir} it runs the built-in demo model (random weights: noise, not speech).
 */
public final class Main {
    static final String USAGE =
            String.join(
                    "\n",
                    "usage: csm <command> [options]",
                    "  generate      --text TEXT [--speaker 0] [--max-audio-ms 10000] [--temperature 0.9] [--top-k 50]",
                    "                [--seed N] [--out out.wav]",
                    "  conversation  [--prompt-a A.wav] [--prompt-b B.wav] [--seed N] [--max-audio-ms 10000]",
                    "                [--out full_conversation.wav]  (prompts default to the model folder's",
                    "                prompts/conversational_a.wav and conversational_b.wav, as in run_csm.py)",
                    "  detect        --in FILE.wav",
                    "common: --model-dir DIR (weights; default: the built-in demo model) --device auto|cpu|cuda",
                    "        --dtype auto|float32|float16 --compute-path auto|cpu-default|cuda-shaped",
                    "        --watermark-key SECRET --cpu-threads N");

    private Main() {}

    public static void main(String[] argv) {
        quietLogging();
        DjlRuntime.init();
        try {
            System.exit(run(CliArgs.parse(argv), System.out));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
    }

    /**
     * The packaged app's SLF4J binding (JBoss) works only under the JBoss LogManager, which a plain
     * {@code java -cp lib/main/*:app/*} does not start, so SLF4J printed error lines at every
     * start. With the LogManager on the class path ({@code lib/boot/*}) it is installed; without it
     * SLF4J is told to stay silent. Either way the CLI prints its own progress ({@link
     * CliProgress}). Must run before anything logs.
     */
    static void quietLogging() {
        if (System.getProperty("java.util.logging.manager") != null
                || System.getProperty("slf4j.provider") != null) {
            return;
        }
        try {
            Class.forName("org.jboss.logmanager.LogManager", false, Main.class.getClassLoader());
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        } catch (ClassNotFoundException e) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty(
                    "slf4j.internal.verbosity", "WARN"); // no note that the provider was chosen
        }
    }

    /** Runs one parsed command; returns the exit code. */
    static int run(CliArgs args, PrintStream out) {
        switch (args.command()) {
            case "generate":
                return generate(args, out);
            case "conversation":
                return conversation(args, out);
            default:
                return detect(args, out);
        }
    }

    static PipelineOptions options(CliArgs args) {
        ModelSource source =
                args.path("model-dir").map(ModelSource::local).orElse(ModelSource.demo());
        return PipelineOptions.of(source)
                .withDevice(ComputeDevice.parse(args.get("device", "auto")))
                .withDtype(WeightDtype.parse(args.get("dtype", "auto")))
                .withWatermark(
                        args.get("watermark-key", WatermarkKey.DEFAULT_SECRET),
                        WatermarkKey.DEFAULT_PAYLOAD.keyId(),
                        WatermarkKey.DEFAULT_PAYLOAD.serviceId())
                .withCpuThreads(args.integer("cpu-threads", 0))
                .withComputePath(ComputePathSetting.parse(args.get("compute-path", "auto")));
    }

    private static int generate(CliArgs args, PrintStream out) {
        String text = args.get("text", null);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--text is required");
        }
        SamplingParams sampling =
                SamplingParams.seeded(args.longValue("seed", System.nanoTime()))
                        .withTemperature(
                                args.decimal("temperature", SamplingParams.DEFAULT_TEMPERATURE))
                        .withTopK(args.integer("top-k", SamplingParams.DEFAULT_TOP_K));
        GenerationRequest request =
                new GenerationRequest(
                        text,
                        args.integer("speaker", 0),
                        List.of(),
                        args.integer("max-audio-ms", 10_000),
                        sampling,
                        // Without --max-audio-ms a long text is read whole, in parts.
                        args.has("max-audio-ms"));
        Path target = Path.of(args.get("out", "out.wav"));
        try (CsmPipeline pipeline = load(args)) {
            label(pipeline, out);
            Pcm audio = speak(pipeline, request);
            write(target, audio);
            out.printf(
                    "wrote %s (%.2f s, seed %d)%n",
                    target, audio.durationSeconds(), sampling.seed());
        }
        return 0;
    }

    private static int conversation(CliArgs args, PrintStream out) {
        long seed = args.longValue("seed", 42);
        int maxMs = args.integer("max-audio-ms", 10_000);
        try (CsmPipeline pipeline = load(args)) {
            label(pipeline, out);
            List<Segment> context = new ArrayList<>();
            context.addAll(
                    prompt(pipeline, args, "prompt-a", PublishedVoices.CONVERSATIONAL_A, out));
            context.addAll(
                    prompt(pipeline, args, "prompt-b", PublishedVoices.CONVERSATIONAL_B, out));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int sampleRate = pipeline.info().sampleRateHz();
            for (int i = 0; i < ReferenceConversation.TURNS.size(); i++) {
                ReferenceConversation.Turn turn = ReferenceConversation.TURNS.get(i);
                GenerationRequest request =
                        new GenerationRequest(
                                turn.text(),
                                turn.speaker(),
                                context,
                                maxMs,
                                SamplingParams.seeded(seed + i));
                Pcm audio = speak(pipeline, request);
                out.printf(
                        "turn %d, speaker %d: %.2f s  %s%n",
                        i + 1, turn.speaker(), audio.durationSeconds(), turn.text());
                // run_csm.py feeds each generated (watermarked) turn back as context, re-encoded by
                // Mimi.
                context.add(new Segment(turn.speaker(), turn.text(), pipeline.encode(audio)));
                all.writeBytes(floats(audio.samples()));
            }
            Path target = Path.of(args.get("out", "full_conversation.wav"));
            write(target, new Pcm(toFloats(all.toByteArray()), sampleRate));
            out.printf("wrote %s%n", target);
        }
        return 0;
    }

    private static int detect(CliArgs args, PrintStream out) {
        Path in =
                args.path("in").orElseThrow(() -> new IllegalArgumentException("--in is required"));
        Pcm pcm = WavReader.read(in);
        WatermarkKey key =
                WatermarkKey.fromSecret(
                        args.get("watermark-key", WatermarkKey.DEFAULT_SECRET),
                        WatermarkKey.DEFAULT_PAYLOAD);
        WatermarkDetection d = new WatermarkDetector(key).detect(pcm.samples(), pcm.sampleRateHz());
        out.println(d);
        return d.detected() ? 0 : 1;
    }

    private static void label(CsmPipeline pipeline, PrintStream out) {
        out.println(
                "model: "
                        + pipeline.info().label()
                        + (pipeline.info().demo()
                                ? " (built-in DEMO model: random weights, the audio is noise, not speech)"
                                : ""));
    }

    /** Loads the pipeline, printing each phase of the load (throttled like the service's log). */
    private static CsmPipeline load(CliArgs args) {
        return CsmPipeline.load(options(args), new CliProgress(System.err));
    }

    /**
     * The prompt for {@code voice}: the file given with {@code --option}, else the model's built-in
     * voice.
     */
    private static List<Segment> prompt(
            CsmPipeline pipeline,
            CliArgs args,
            String option,
            PublishedVoices.Voice voice,
            PrintStream out) {
        if (args.path(option).isPresent()) {
            Pcm pcm =
                    SincResampler.resample(
                            WavReader.read(args.path(option).get()),
                            pipeline.info().sampleRateHz());
            return List.of(new Segment(voice.speaker(), voice.text(), pipeline.encode(pcm)));
        }
        for (BuiltInVoice v : pipeline.voices()) {
            if (v.id().equals(voice.id())) {
                out.printf("prompt %s: the model's %s%n", v.id(), voice.file());
                return List.of(v.segment());
            }
        }
        return List.of();
    }

    static Pcm speak(CsmPipeline pipeline, GenerationRequest request) {
        ByteArrayOutputStream samples = new ByteArrayOutputStream();
        pipeline.generate(
                request,
                new ChunkSink() {
                    @Override
                    public void accept(AudioChunk chunk) {
                        samples.writeBytes(floats(chunk.samples()));
                    }
                });
        return new Pcm(toFloats(samples.toByteArray()), pipeline.info().sampleRateHz());
    }

    private static byte[] floats(float[] f) {
        ByteBuffer b = ByteBuffer.allocate(f.length * 4);
        b.asFloatBuffer().put(f);
        return b.array();
    }

    private static float[] toFloats(byte[] b) {
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).asFloatBuffer().get(f);
        return f;
    }

    private static void write(Path target, Pcm audio) {
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.write(target, WavWriter.write(audio));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
