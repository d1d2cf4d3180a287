package dev.csmserver.config;

import dev.csmserver.pipeline.ComputeDevice;
import dev.csmserver.pipeline.ComputePathSetting;
import dev.csmserver.pipeline.PartPolicy;
import dev.csmserver.pipeline.WeightDtype;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every service setting, under {@code csm.*} (environment: {@code CSM_*}, e.g. {@code
 * CSM_MODEL_DIR}). Converted once to plain records by the producers in this package. Every key is
 * also in {@code .env.example} and the Helm chart's values (DeployContractTest). A value that does
 * not convert (e.g. {@code CSM_MODEL_DTYPE=bfloat16}) stops the boot with a message naming the
 * setting and what it accepts.
 */
@ConfigMapping(prefix = "csm")
public interface ServerConfig {
    Model model();

    Queue queue();

    Limits limits();

    LongText longText();

    Contexts contexts();

    Watermark watermark();

    Auth auth();

    Http http();

    Cpu cpu();

    /** Where the weights come from and how they run. */
    interface Model {
        /** Local directory with CSM weights (either layout), Mimi checkpoint and tokenizer.json. */
        Optional<Path> dir();

        /** Hugging Face repo id (e.g. sesame/csm-1b), downloaded once into {@link #cacheDir()}. */
        Optional<String> hfId();

        /** Repo revision (branch, tag or commit). */
        @WithDefault("main")
        String revision();

        /** Download cache for hub models. */
        @WithDefault("${user.home}/.cache/csm-server")
        Path cacheDir();

        /** Hub base URL (a mirror, or a local server in tests). */
        @WithDefault("https://huggingface.co")
        String hfEndpoint();

        /** Hub token for gated repos (the HF_TOKEN environment variable). */
        Optional<String> hfToken();

        /**
         * auto (CUDA if DJL or libtorch finds a GPU, else the CPU with a WARN line), cpu or cuda.
         */
        @WithDefault("auto")
        @WithConverter(SettingConverters.Device.class)
        ComputeDevice device();

        /**
         * Weight dtype: auto (fp16 on CUDA and on CPUs with FBGEMM, else fp32), float32 or float16.
         */
        @WithDefault("auto")
        @WithConverter(SettingConverters.Dtype.class)
        WeightDtype dtype();

        /**
         * Which code the model's ops take: auto (the device's own), cpu-default (FBGEMM packing,
         * per-core row split, 1x1 convolutions for prompts: a CPU's fast path) or cuda-shaped
         * (exactly the code a CUDA device runs, on whatever device: how CI tests the GPU path).
         */
        @WithDefault("auto")
        @WithConverter(SettingConverters.Path.class)
        ComputePathSetting computePath();

        /** Run one short generation at startup so the first request does not pay for warm-up. */
        @WithDefault("true")
        boolean warmup();
    }

    /** The bounded queue and the batch. */
    interface Queue {
        /** Jobs that may wait for a batch slot before requests get 429. */
        @WithDefault("16")
        int capacity();

        /** Requests generated together, one frame each per step. */
        @WithDefault("4")
        int maxBatch();

        /** Per-request deadline from submission; a request past it is ended. */
        @WithDefault("10m")
        Duration deadline();

        /** Liveness reports the worker stalled when one loop takes longer than this. */
        @WithDefault("2m")
        Duration stallAfter();

        /**
         * Context encodes (uploads, inline context audio) that may be pending (waiting or under
         * way) on the inference thread, which runs one chunk of one between two frame steps; past
         * this, 429 with Retry-After.
         */
        @WithDefault("8")
        int maxPendingEncodes();

        /** Graceful shutdown: how long running requests may finish. */
        @WithDefault("10s")
        Duration shutdownGrace();
    }

    /** Request limits (enforced by api.RequestValidator only). */
    interface Limits {
        /**
         * Longest target or context text, in characters (OpenAI's own limit by default); a target
         * text too long for one generation is read in parts ({@link LongText}).
         */
        @WithDefault("4096")
        int maxTextChars();

        /** Largest audio upload (context audio, base64-decoded), in bytes. */
        @WithDefault("10485760")
        int maxUploadBytes();

        /** Largest request body (JSON with inline base64 audio, or multipart), in bytes. */
        @WithDefault("16777216")
        long maxBodyBytes();

        /** Largest max_audio_length_ms a request may ask for. */
        @WithDefault("90000")
        int maxAudioMs();

        /** max_audio_length_ms when a request gives none (the reference's default). */
        @WithDefault("10000")
        int defaultAudioMs();

        /** Most context segments in one request. */
        @WithDefault("16")
        int maxContextSegments();

        /** Longest context audio, in milliseconds. */
        @WithDefault("60000")
        int maxContextAudioMs();

        /** Highest speaker id. */
        @WithDefault("31")
        int maxSpeaker();
    }

    /**
     * How a text too long for one generation is read: in parts, each generated with the ones before
     * it as context, into one audio stream (see pipeline.PartPolicy).
     */
    interface LongText {
        /**
         * Most tokens in one part's prompt segment ({@code BOS "[speaker]text" EOS}, about 4
         * characters of English a token); a text with more is split at sentences, then clauses,
         * then words.
         */
        @WithDefault(PartPolicy.DEFAULT_PART_MAX_TOKENS)
        int partMaxTokens();

        /** A part's audio cap: this many milliseconds... */
        @WithDefault(PartPolicy.DEFAULT_PART_BASE_MS)
        int partBaseMs();

        /**
         * ...plus this many per token of its segment (CSM speaks about 250 ms a token): a part
         * never runs for the whole request's cap when the model does not emit its end frame.
         */
        @WithDefault(PartPolicy.DEFAULT_MS_PER_TOKEN)
        int msPerToken();

        /**
         * Most earlier parts each part hears as context (after the request's own context); fewer
         * when the backbone's 2048 rows run short, the oldest left out first.
         */
        @WithDefault(PartPolicy.DEFAULT_PREVIOUS_PARTS)
        int previousParts();
    }

    /** Stored contexts. */
    interface Contexts {
        /** file (a local directory, default) or redis (shared by replicas). */
        @WithDefault("file")
        @WithConverter(SettingConverters.Store.class)
        ContextStoreKind store();

        /** Directory of the file store. */
        @WithDefault("${user.home}/.local/share/csm-server/contexts")
        Path dir();

        /** Key prefix of the Redis store (several deployments can share one Redis). */
        @WithDefault("csm:contexts:")
        String redisPrefix();
    }

    /** The audio watermark (keyed; see audio.watermark). */
    interface Watermark {
        /**
         * Secret key of the mark. The default is the documented public key: anyone can verify (and
         * forge) it.
         */
        @WithDefault("csm-server public watermark key v1")
        String key();

        /** Public key id carried in the mark's payload (0..65535; default 0xD4D3). */
        @WithDefault("54483")
        int keyId();

        /** Service id carried in the mark's payload (0..65535; default 0x9238). */
        @WithDefault("37432")
        int serviceId();
    }

    /** Optional API-key authentication. */
    interface Auth {
        /** When set, every endpoint but /q/health requires Authorization: Bearer this key. */
        Optional<String> apiKey();
    }

    /**
     * How request bodies are received (enforced by api.BodyReadGuard, before any worker thread is
     * used).
     */
    interface Http {
        /**
         * Longest a request body may take to arrive in full; a slower one is cut with a 408
         * problem, so a body trickled a byte at a time cannot hold the service.
         */
        @WithDefault("60s")
        Duration bodyReadDeadline();

        /**
         * Request bodies received at once; one more is refused with a 503 problem and Retry-After.
         */
        @WithDefault("64")
        int maxConcurrentBodyReads();
    }

    /** The CPU work of a frame step. */
    interface Cpu {
        /**
         * Threads that multiply a weight's row blocks at once (nn.RowParallel), the inference
         * thread included; absent: the processors the JVM sees (cgroup limits included).
         */
        OptionalInt threads();
    }
}
