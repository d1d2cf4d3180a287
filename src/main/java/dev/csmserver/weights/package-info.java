/**
 * Safetensors reading, dtype widening and checkpoint layouts mapped to one canonical key set.
 * Imports: JDK, DJL only.
 */
package dev.csmserver.weights;
