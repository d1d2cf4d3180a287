package dev.csmserver.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Opens a Mimi checkpoint in either published layout ({@link MimiLayout}) and presents it under the
 * canonical names: detects the layout and any prefix from the key names (the HF Mimi embedded in
 * the transformers CSM checkpoint lives under {@code codec_model.}), renames, fuses HF {@code
 * q/k/v_proj} into one {@code in_proj.weight} after undoing the rotate-half permutation of q and k
 * (so the codec always uses interleaved RoPE), and derives each codebook as {@code embedding_sum /
 * clamp(cluster_usage, 1e-5)} (csm-spec §5.6, §6.4). Unknown keys under the prefix are an error, so
 * a layout drift cannot load half a model silently.
 */
public final class MimiCheckpoint {
    /** moshi {@code EuclideanCodebook} epsilon: {@code cluster_usage.clamp(min=1e-5)}. */
    public static final float CODEBOOK_EPSILON = 1e-5f;

    private final MimiLayout layout;
    private final String prefix;
    private final Weights weights;

    private MimiCheckpoint(MimiLayout layout, String prefix, Weights weights) {
        this.layout = layout;
        this.prefix = prefix;
        this.weights = weights;
    }

    /**
     * Opens {@code file} (a {@code .safetensors} file or a sharded index {@code .json}).
     *
     * @param numHeads attention heads of the Mimi transformers (needed to undo the HF q/k
     *     permutation)
     */
    public static MimiCheckpoint open(Path file, int numHeads) {
        return of(Checkpoint.open(file), numHeads);
    }

    /** Canonicalises already opened raw tensors. */
    public static MimiCheckpoint of(Checkpoint checkpoint, int numHeads) {
        Map<String, HostTensor> raw = checkpoint.tensors();
        MimiLayout layout = null;
        String prefix = null;
        for (String key : raw.keySet()) {
            for (MimiLayout l : MimiLayout.values()) {
                if (key.endsWith(l.marker())) {
                    layout = l;
                    prefix = key.substring(0, key.length() - l.marker().length());
                }
            }
        }
        if (layout == null) {
            throw new WeightsException(
                    checkpoint.source()
                            + ": not a Mimi checkpoint (no key ending in '"
                            + MimiLayout.MOSHI.marker()
                            + "' or '"
                            + MimiLayout.TRANSFORMERS.marker()
                            + "')");
        }
        Map<String, HostTensor> named = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (var e : raw.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String canonical = layout.rename(e.getKey().substring(prefix.length()));
            if (canonical == null) {
                unknown.add(e.getKey());
            } else if (!canonical.isEmpty()) {
                named.put(canonical, e.getValue());
            }
        }
        if (!unknown.isEmpty()) {
            throw new WeightsException(
                    checkpoint.source()
                            + ": unexpected tensors for a "
                            + layout
                            + " Mimi checkpoint: "
                            + unknown.subList(0, Math.min(10, unknown.size())));
        }
        fuseQkv(named, numHeads);
        deriveCodebooks(named);
        return new MimiCheckpoint(layout, prefix, new Weights(named));
    }

    public MimiLayout layout() {
        return layout;
    }

    /** The key prefix the Mimi tensors were found under ("" or e.g. "codec_model."). */
    public String prefix() {
        return prefix;
    }

    public Weights weights() {
        return weights;
    }

    private static void fuseQkv(Map<String, HostTensor> named, int numHeads) {
        List<String> qs =
                named.keySet().stream().filter(k -> k.endsWith(".q_proj.weight")).toList();
        for (String q : qs) {
            String base = q.substring(0, q.length() - "q_proj.weight".length());
            HostTensor wq = named.remove(q);
            HostTensor wk = named.remove(base + "k_proj.weight");
            HostTensor wv = named.remove(base + "v_proj.weight");
            if (wk == null || wv == null) {
                throw new WeightsException(
                        "Mimi layer " + base + " has q_proj but lacks k_proj or v_proj");
            }
            long rows = wq.shape()[0];
            long cols = wq.shape()[1];
            if (rows % numHeads != 0 || (rows / numHeads) % 2 != 0) {
                throw new WeightsException(
                        q
                                + ": "
                                + rows
                                + " rows do not split into "
                                + numHeads
                                + " heads of even size");
            }
            int headDim = (int) (rows / numHeads);
            named.put(
                    base + "in_proj.weight",
                    new HostTensor(
                            new long[] {3 * rows, cols},
                            () -> {
                                float[] out = new float[(int) (3 * rows * cols)];
                                unpermute(wq.data(), out, 0, numHeads, headDim, (int) cols);
                                unpermute(
                                        wk.data(),
                                        out,
                                        (int) (rows * cols),
                                        numHeads,
                                        headDim,
                                        (int) cols);
                                System.arraycopy(
                                        wv.data(),
                                        0,
                                        out,
                                        (int) (2 * rows * cols),
                                        (int) (rows * cols));
                                return out;
                            }));
        }
    }

    /** HF rotate-half rows back to interleaved: moshi row h*D + 2i + j = HF row h*D + j*D/2 + i. */
    private static void unpermute(
            float[] hf, float[] out, int at, int heads, int headDim, int cols) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int src = (h * headDim + j * half + i) * cols;
                    int dst = at + (h * headDim + 2 * i + j) * cols;
                    System.arraycopy(hf, src, out, dst, cols);
                }
            }
        }
    }

    private static void deriveCodebooks(Map<String, HostTensor> named) {
        List<String> sums =
                named.keySet().stream().filter(k -> k.contains(".codebook_sum.")).toList();
        for (String sumName : sums) {
            String usageName = sumName.replace(".codebook_sum.", ".cluster_usage.");
            HostTensor sum = named.remove(sumName);
            HostTensor usage = named.remove(usageName);
            if (usage == null) {
                throw new WeightsException("Mimi codebook " + sumName + " has no cluster_usage");
            }
            int bins = (int) sum.shape()[0];
            int dim = (int) sum.shape()[1];
            named.put(
                    sumName.replace(".codebook_sum.", ".codebook."),
                    new HostTensor(
                            sum.shape(),
                            () -> {
                                float[] s = sum.data();
                                float[] u = usage.data();
                                float[] e = new float[bins * dim];
                                for (int b = 0; b < bins; b++) {
                                    float c = Math.max(u[b], CODEBOOK_EPSILON);
                                    for (int d = 0; d < dim; d++) {
                                        e[b * dim + d] = s[b * dim + d] / c;
                                    }
                                }
                                return e;
                            }));
        }
        named.keySet().stream()
                .filter(k -> k.contains(".cluster_usage."))
                .findFirst()
                .ifPresent(
                        k -> {
                            throw new WeightsException(
                                    "Mimi cluster_usage " + k + " has no embedding_sum");
                        });
    }
}
