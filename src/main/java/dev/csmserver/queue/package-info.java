/**
 * Bounded admission and the single inference worker: jobs, cancellation, continuous batching.
 * Imports: {@code pipeline} (and its domain types), {@code metrics}, {@code audio}, the JDK. Never
 * the web layer.
 */
package dev.csmserver.queue;
