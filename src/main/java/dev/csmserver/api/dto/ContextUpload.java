package dev.csmserver.api.dto;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.PartType;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Multipart body of {@code POST /v1/contexts}: the audio file, its transcript and speaker. */
@Schema(name = "ContextUpload", description = "One conversation turn to encode once and store.")
public class ContextUpload {
    @RestForm("audio")
    @Schema(
            required = true,
            type = SchemaType.STRING,
            format = "binary",
            description = "WAV file of the turn, sampled at 8 to 192 kHz (resampled to 24 kHz).")
    public FileUpload audio;

    @RestForm("text")
    @PartType("text/plain")
    @Schema(required = true, description = "Transcript of the audio.")
    public String text;

    @RestForm("speaker")
    @PartType("text/plain")
    @Schema(description = "Speaker id (default 0).", examples = "0")
    public String speaker;

    @RestForm("id")
    @PartType("text/plain")
    @Schema(
            description = "Id to store it under ([A-Za-z0-9_-]{1,64}); generated when absent.",
            examples = "turn-1")
    public String id;
}
