package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * One batched frame step's result ({@link CsmModel#step(FrameBatch, ai.djl.ndarray.NDManager)}):
 * each request's frame on the host, in batch order, and the same codes {@code [B, K]} int64 still
 * on the model's device (in the manager the caller passed, which owns and frees it), so a codec on
 * that device can decode them with no upload.
 */
public record StepCodes(List<int[]> frames, NDArray codes) {}
