package dev.csmserver.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.golden.Fixtures;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.weights.CsmCheckpoint;
import dev.csmserver.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the CSM golden set ({@code cases.json} and its safetensors) for the golden tests. */
public final class CsmGolden {
    private CsmGolden() {}

    public static Path dir() {
        return Fixtures.csm();
    }

    public static JsonNode cases() {
        return Fixtures.json(dir().resolve("cases.json"));
    }

    /** Every case of {@code kind}; fails when there is none (a set without them is broken). */
    public static List<JsonNode> ofKind(String kind) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : cases().get("cases")) {
            if (kind.equals(c.path("kind").asText())) {
                out.add(c);
            }
        }
        if (out.isEmpty()) {
            throw new AssertionError("cases.json has no case of kind " + kind);
        }
        return out;
    }

    public static JsonNode named(String name) {
        for (JsonNode c : cases().get("cases")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("cases.json has no case " + name);
    }

    public static JsonNode model() {
        return cases().get("model");
    }

    public static SafetensorsFile tensors(String file) {
        return SafetensorsFile.open(Fixtures.require(dir().resolve(file)));
    }

    /** {@code "file.safetensors:tensor"} reference of cases.json. */
    public static SafetensorsFile fileOf(String ref) {
        return tensors(ref.substring(0, ref.indexOf(':')));
    }

    public static String tensorOf(String ref) {
        return ref.substring(ref.indexOf(':') + 1);
    }

    /** A checkpoint named relative to the set's csm/ folder. */
    public static CsmCheckpoint checkpoint(String weights) {
        return CsmCheckpoint.load(Fixtures.require(dir().resolve(weights)));
    }

    public static CsmModel model(String weights, NDManager manager, DataType type) {
        return model(weights, manager, type, ComputePath.CPU_DEFAULT);
    }

    /** As above, {@code manager} marked to take {@code path}. */
    public static CsmModel model(
            String weights, NDManager manager, DataType type, ComputePath path) {
        ComputePath.mark(manager, path);
        CsmCheckpoint ckpt = checkpoint(weights);
        return CsmModel.load(CsmConfig.fromJson(ckpt.config()), ckpt.weights(), manager, type);
    }

    /** The prompt rows of a {@code prompt_assembly} case, from prompts.safetensors. */
    public static PromptRows prompt(String promptCase) {
        JsonNode c = named(promptCase);
        SafetensorsFile f = tensors(c.get("file").asText());
        JsonNode exp = c.get("expected");
        long[] tokens = f.longs(exp.get("tokens").get("tensor").asText());
        long[] mask = f.longs(exp.get("mask").get("tensor").asText());
        int rows = exp.get("tokens").get("shape").get(0).asInt();
        int width = exp.get("tokens").get("shape").get(1).asInt();
        long[][] t = new long[rows][width];
        boolean[][] m = new boolean[rows][width];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < width; col++) {
                t[r][col] = tokens[r * width + col];
                m[r][col] = mask[r * width + col] != 0;
            }
        }
        return new PromptRows(t, m);
    }

    /** Context codes {@code [K][T]} of a segment of a prompt case. */
    public static int[][] contextCodes(String file, JsonNode segment) {
        long[] flat = tensors(file).longs(segment.get("codes_tensor").asText());
        int k = segment.get("codes_shape").get(0).asInt();
        int t = segment.get("codes_shape").get(1).asInt();
        int[][] out = new int[k][t];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < t; j++) {
                out[i][j] = Math.toIntExact(flat[i * t + j]);
            }
        }
        return out;
    }
}
