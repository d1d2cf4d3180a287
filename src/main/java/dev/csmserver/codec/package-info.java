/**
 * Kyutai's Mimi codec on DJL: config, SEANet encoder/decoder, windowed transformers, split RVQ,
 * offline encode/decode and the exact streaming decoder. Imports: {@code nn}, {@code weights}, JDK,
 * DJL, Jackson (config JSON). Never {@code model}, {@code audio} or anything above.
 */
package dev.csmserver.codec;
