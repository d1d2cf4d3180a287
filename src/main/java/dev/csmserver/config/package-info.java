/**
 * Configuration ({@code @ConfigMapping(prefix = "csm")}) and the CDI producers that build the
 * pipeline, the queue and worker, and the context store from it. Imports: every lower layer,
 * Quarkus config and Arc.
 */
package dev.csmserver.config;
