/**
 * REST resources, DTOs, the request validator, problem+json mapping and the audio stream adapter.
 * Imports: {@code queue}, {@code contexts}, {@code pipeline} records, {@code audio}, {@code
 * metrics}, {@code config}; Quarkus REST, Jackson, MicroProfile OpenAPI. Never the model, codec, nn
 * or weights packages.
 */
package dev.csmserver.api;
