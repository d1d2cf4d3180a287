package dev.csmserver.codec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.golden.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Where the Mimi golden set keeps things, read from its cases.json (nothing hard-coded). */
final class MimiFixture {
    /** The three ways the same weights are published. */
    enum Source {
        MOSHI,
        HF,
        CSM_HF
    }

    private MimiFixture() {}

    static JsonNode cases() {
        return Fixtures.json(Fixtures.mimi().resolve("cases.json"));
    }

    static Path checkpoint(Source source) {
        JsonNode model = cases().get("model");
        return switch (source) {
            case MOSHI -> Fixtures.require(Fixtures.mimi().resolve(model.get("weights").asText()));
            case HF -> Fixtures.require(Fixtures.mimi().resolve(model.get("hf_weights").asText()));
            case CSM_HF -> csmIndex();
        };
    }

    static MimiConfig config(Source source) {
        JsonNode model = cases().get("model");
        return switch (source) {
            case MOSHI ->
                    MimiConfig.fromJson(
                            Fixtures.require(
                                    Fixtures.mimi().resolve(model.get("config").asText())));
            case HF ->
                    MimiConfig.fromJson(
                            Fixtures.require(
                                    Fixtures.mimi().resolve(model.get("hf_config").asText())));
            case CSM_HF ->
                    MimiConfig.fromJson(Fixtures.require(csmIndex().resolveSibling("config.json")));
        };
    }

    /** The sharded transformers CSM checkpoint's index, whatever it is called. */
    static Path csmIndex() {
        Path dir = Fixtures.require(Fixtures.csm().resolve("hf"));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".index.json"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no *.index.json in " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code [1, K, T]} int64 → {@code [K][T]}. */
    static int[][] codes(long[] flat, JsonNode shape) {
        int k = shape.get(1).asInt();
        int t = shape.get(2).asInt();
        int[][] out = new int[k][t];
        for (int q = 0; q < k; q++) {
            for (int i = 0; i < t; i++) {
                out[q][i] = Math.toIntExact(flat[q * t + i]);
            }
        }
        return out;
    }

    static long[] flatten(int[][] codes) {
        int t = codes.length == 0 ? 0 : codes[0].length;
        long[] out = new long[codes.length * t];
        for (int q = 0; q < codes.length; q++) {
            for (int i = 0; i < t; i++) {
                out[q * t + i] = codes[q][i];
            }
        }
        return out;
    }
}
