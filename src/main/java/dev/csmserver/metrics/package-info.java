/**
 * Meter names and the Micrometer recorder. Imports: Micrometer core API and the JDK only; the
 * worker ({@code queue}) records through {@link dev.csmserver.metrics.InferenceMetrics} in plain
 * Java types, so no Micrometer type leaks below this package.
 */
package dev.csmserver.metrics;
