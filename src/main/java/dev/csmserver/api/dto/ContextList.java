package dev.csmserver.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Every stored context, newest first. */
@Schema(name = "ContextList", description = "Stored contexts, newest first.")
public record ContextList(@JsonProperty("contexts") List<ContextInfo> contexts) {}
