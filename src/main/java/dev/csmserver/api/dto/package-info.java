/**
 * Request and response bodies (snake_case JSON, documented with @Schema). Imports: JDK, Jackson,
 * OpenAPI annotations.
 */
package dev.csmserver.api.dto;
