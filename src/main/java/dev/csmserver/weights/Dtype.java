package dev.csmserver.weights;

/** The safetensors dtypes this project reads, with their byte widths. */
public enum Dtype {
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    BOOL(1);

    private final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Parses a header dtype string; unknown names are a clear {@link WeightsException}. */
    public static Dtype parse(String where, String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new WeightsException(where + ": unsupported dtype '" + name + "'");
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }
}
