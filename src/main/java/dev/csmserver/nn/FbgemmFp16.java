package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libtorch's FBGEMM float16 GEMM: float16 weights packed once into FBGEMM's blocked layout, float32
 * activations, float32 accumulation. Where libtorch's own fp16 GEMM converts every weight once per
 * output row (compute-bound: 4 rows of CSM-1B's depth decoder cost 2.5x one), FBGEMM's kernels
 * convert each weight once per call and stay memory-bound up to a few rows, and reach about the FMA
 * peak of a core for prompts (a [200, 2048] x [2048, 8192] product: 36 ms on one core, 48 ms for
 * MKL's float32 on two). Each row's result is the same bits whatever rows run beside it, once the
 * row count is padded as {@link #batchInvariantRows} says. FBGEMM runs on the calling thread only;
 * {@link Linear} splits weights per core.
 *
 * <p>DJL has no call for these ops, so they run through a weightless TorchScript module ({@code
 * torchscript/fp16_linear.pt}, written by {@code src/main/torchscript/fp16_linear.py}). The packed
 * weight is an opaque uint8 tensor that owns FBGEMM's copy: it lives and dies in the weights'
 * manager like any other weight.
 */
public final class FbgemmFp16 {
    private static final Logger LOG = LoggerFactory.getLogger(FbgemmFp16.class);
    private static final String MODULE = "/torchscript/fp16_linear.pt";
    private static volatile Optional<FbgemmFp16> instance;

    private final PtSymbolBlock module;
    private final NDArray zeroBias; // [1], broadcast over every output
    private final IValue zeroBiasValue; // the same, wrapped once: it lives as long as the process

    /**
     * Row counts to run instead of 0..{@link RowBlocks#MAX_BLOCK} (see {@link RowBlocks}); set once
     * at load.
     */
    private RowBlocks rowBlocks = RowBlocks.IDENTITY;

    private FbgemmFp16(PtSymbolBlock module, NDArray zeroBias) {
        this.module = module;
        this.zeroBias = zeroBias;
        this.zeroBiasValue = IValue.from((PtNDArray) zeroBias);
    }

    /**
     * The row count to give FBGEMM for {@code rows} rows so that each row gets the bits it gets in
     * any other batch: {@code rows} itself, or more (the caller pads with zero rows and drops their
     * results). See {@link RowBlocks}.
     */
    public int batchInvariantRows(int rows) {
        return rowBlocks.paddedRows(rows);
    }

    /**
     * The process-wide instance, or empty where this libtorch or CPU has no FBGEMM (it needs AVX2;
     * PyTorch has deprecated these ops, so a later libtorch may drop them): callers then keep plain
     * float16 weights.
     */
    public static Optional<FbgemmFp16> available() {
        Optional<FbgemmFp16> found = instance;
        if (found == null) {
            synchronized (FbgemmFp16.class) {
                found = instance;
                if (found == null) {
                    found = load();
                    instance = found;
                }
            }
        }
        return found;
    }

    private static Optional<FbgemmFp16> load() {
        // lives as long as the process: the module and its bias are shared by every model
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager();
        try (InputStream in = FbgemmFp16.class.getResourceAsStream(MODULE)) {
            if (in == null) {
                throw new IOException(MODULE + " is missing from the classpath");
            }
            FbgemmFp16 gemm =
                    new FbgemmFp16(
                            JniUtils.loadModule(manager, in, false, false),
                            manager.zeros(new Shape(1), DataType.FLOAT32));
            gemm.selfCheck(manager);
            gemm.rowBlocks = RowBlocks.probe(gemm, manager);
            return Optional.of(gemm);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            LOG.info(
                    "FBGEMM float16 GEMM unavailable, float16 weights use libtorch's GEMM: {}",
                    e.getMessage());
            manager.close();
            return Optional.empty();
        }
    }

    /**
     * One tiny product, so a libtorch without FBGEMM (or a CPU without AVX2) fails here, not
     * mid-request.
     */
    private void selfCheck(NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray w = scratch.arange(6f).reshape(2, 3); // [out 2, in 3]
            NDArray y = linear(scratch.ones(new Shape(1, 3)), pack(w)); // [1, 2]
            float[] got = y.toFloatArray();
            if (got[0] != 3f || got[1] != 12f) {
                throw new IllegalStateException(
                        "FBGEMM float16 self-check gave " + got[0] + ", " + got[1]);
            }
        }
    }

    /** {@code w [out, in]} float32 → its packed float16 copy, in {@code w}'s manager. */
    public NDArray pack(NDArray w) {
        Nd.checkShape("weight to pack", w, -1, -1);
        NDArray contiguous =
                w.getDataType() == DataType.FLOAT32 ? w : w.toType(DataType.FLOAT32, false);
        try (IValue weight = IValue.from((PtNDArray) contiguous);
                IValue packed = IValueUtils.runMethod(module, "pack", weight)) {
            return packed.toTensor((PtNDManager) w.getManager());
        }
    }

    /**
     * {@code x [M, in]} float32, a packed {@code [out, in]} weight → {@code [M, out]} float32 in
     * x's manager.
     */
    public NDArray linear(NDArray x, NDArray packed) {
        try (IValue weight = IValue.from((PtNDArray) packed)) {
            return linear(x, weight);
        }
    }

    /**
     * As {@link #linear(NDArray, NDArray)} with the packed weight already wrapped ({@link #wrap}),
     * which spares a hot step two JNI calls per product; {@code x [..., in]} may have any leading
     * dimensions (FBGEMM's op flattens them itself) → {@code [..., out]}.
     */
    public NDArray linear(NDArray x, IValue packed) {
        try (IValue input = IValue.from((PtNDArray) x);
                IValue y = module.forward(input, packed, zeroBiasValue)) {
            return y.toTensor((PtNDManager) x.getManager());
        }
    }

    /**
     * {@code packed}, a weight from {@link #pack}, wrapped once for {@link #linear(NDArray,
     * IValue)}; the wrapper is freed with the weight's manager.
     */
    public static IValue wrap(NDArray packed) {
        IValue v = IValue.from((PtNDArray) packed);
        packed.getManager().attachInternal("fbgemm-weight-" + packed.getUid(), v);
        return v;
    }
}
