/**
 * Readiness (model loaded and warmed) and liveness (worker alive, not stalled). Imports: queue,
 * pipeline, config; MicroProfile Health.
 */
package dev.csmserver.health;
