package dev.csmserver.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A read-only set of tensors under canonical names. Each is a lazy {@link HostTensor}: its data is
 * read (and transformed) from the mapped checkpoint only when a model turns it into an NDArray, so
 * the JVM never holds a second copy of the whole checkpoint. Layout-specific loaders ({@code
 * CsmCheckpoint}, {@code MimiCheckpoint}) produce one of these; model code only ever sees canonical
 * names.
 */
public final class Weights {
    private final Map<String, HostTensor> tensors;
    private final String prefix;

    public Weights(Map<String, HostTensor> tensors) {
        this(Collections.unmodifiableMap(new TreeMap<>(tensors)), "");
    }

    private Weights(Map<String, HostTensor> tensors, String prefix) {
        this.tensors = tensors;
        this.prefix = prefix;
    }

    /** A view of the tensors under {@code prefix + "."}. */
    public Weights sub(String sub) {
        return new Weights(tensors, prefix + sub + ".");
    }

    public boolean has(String name) {
        return tensors.containsKey(prefix + name);
    }

    /** The host tensor; a missing name is a {@link WeightsException} naming it. */
    public HostTensor host(String name) {
        HostTensor t = tensors.get(prefix + name);
        if (t == null) {
            throw new WeightsException("missing tensor '" + prefix + name + "'");
        }
        return t;
    }

    /** The tensor, checked against {@code expected} (use -1 for a dimension that may vary). */
    public HostTensor host(String name, long... expected) {
        HostTensor t = host(name);
        if (t.shape().length != expected.length) {
            throw shapeError(name, t, expected);
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] >= 0 && expected[i] != t.shape()[i]) {
                throw shapeError(name, t, expected);
            }
        }
        return t;
    }

    private WeightsException shapeError(String name, HostTensor t, long[] expected) {
        return new WeightsException(
                "tensor '"
                        + prefix
                        + name
                        + "' has shape "
                        + Arrays.toString(t.shape())
                        + ", expected "
                        + Arrays.toString(expected));
    }

    /** Creates the tensor as an NDArray of {@code type} in {@code manager} (float32 or float16). */
    public NDArray get(NDManager manager, String name, DataType type, long... expected) {
        return host(name, expected).toNd(manager, type);
    }

    /** Every canonical name (with the full prefix). */
    public Set<String> names() {
        return tensors.keySet();
    }

    public long parameterCount() {
        return tensors.values().stream().mapToLong(HostTensor::size).sum();
    }
}
