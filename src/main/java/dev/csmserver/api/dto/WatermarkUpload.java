package dev.csmserver.api.dto;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Multipart body of {@code POST /v1/watermark/detect}: the audio file to check. */
@Schema(name = "WatermarkUpload", description = "An audio file to check for the watermark.")
public class WatermarkUpload {
    @RestForm("audio")
    @Schema(
            required = true,
            type = SchemaType.STRING,
            format = "binary",
            description = "WAV, MP3, FLAC or Ogg Opus file, sampled at 8 to 192 kHz.")
    public FileUpload audio;
}
