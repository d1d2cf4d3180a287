package dev.csmserver.pipeline;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the weights come from: the built-in demo model, a local directory (either CSM layout, plus
 * a Mimi checkpoint and {@code tokenizer.json} where the layout needs them), or a Hugging Face repo
 * downloaded once into {@code cacheDir} by {@link ModelSourceDownloader} at startup, in the
 * huggingface_hub layout keyed by the commit the revision resolved to ({@code
 * models--{org}--{name}/snapshots/{commit}}, with {@code refs/{revision}} naming the commit).
 */
public record ModelSource(
        Kind kind,
        Path localDir,
        String hubRepo,
        String revision,
        Path cacheDir,
        String hubEndpoint,
        Optional<String> hubToken) {

    /** The ways to get weights. */
    public enum Kind {
        /** The built-in tiny random model. */
        DEMO,
        /** A local directory. */
        LOCAL,
        /**
         * A hub repo; {@code localDir} is set to the commit's snapshot folder once it is
         * downloaded.
         */
        HUB,
        /** Random weights of the real CSM-1B + Mimi shapes, for benchmarks only (noise). */
        RANDOM_REAL_SHAPE
    }

    public ModelSource {
        hubToken = hubToken == null ? Optional.empty() : hubToken;
    }

    public static ModelSource demo() {
        return new ModelSource(Kind.DEMO, null, null, null, null, null, Optional.empty());
    }

    /** Random weights with the real shapes (benchmarks). */
    public static ModelSource randomRealShape() {
        return new ModelSource(
                Kind.RANDOM_REAL_SHAPE, null, null, null, null, null, Optional.empty());
    }

    /** This hub source, downloaded into {@code dir}. */
    public ModelSource downloadedTo(Path dir) {
        return new ModelSource(kind, dir, hubRepo, revision, cacheDir, hubEndpoint, hubToken);
    }

    public static ModelSource local(Path dir) {
        return new ModelSource(Kind.LOCAL, dir, null, null, null, null, Optional.empty());
    }

    public static ModelSource hub(
            String repo, String revision, Path cacheDir, String endpoint, Optional<String> token) {
        return new ModelSource(Kind.HUB, null, repo, revision, cacheDir, endpoint, token);
    }

    /** A label for logs and the {@code X-Model} header. */
    public String label() {
        switch (kind) {
            case DEMO:
                return "demo-tiny-random";
            case LOCAL:
                return "local:" + localDir.getFileName();
            case RANDOM_REAL_SHAPE:
                return "random-csm-1b-shape";
            default:
                return hubRepo + "@" + revision;
        }
    }
}
