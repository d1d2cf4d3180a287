package dev.csmserver.api;

import dev.csmserver.audio.encode.AudioFormat;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Writes {@link AudioFormat}, the one list of output formats, into the contract at build time: the
 * {@code response_format} enumeration of both speech requests, and the audio media types of both
 * speech operations' 200 answer (before any other media type an operation declares, such as the
 * OpenAI alias's {@code text/event-stream}). Annotations need compile-time constants, so the
 * request records and resources leave these lists out.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class AudioFormatsFilter implements OASFilter {
    /** Request schemas whose {@code response_format} names an {@link AudioFormat}. */
    static final List<String> REQUEST_SCHEMAS = List.of("SpeechRequest", "OpenAiSpeechRequest");

    /** Operations (POST) that answer with audio in the requested format. */
    static final List<String> SPEECH_PATHS =
            List.of(SpeechResource.PATH, OpenAiSpeechResource.PATH);

    static final String FORMAT_PROPERTY = "response_format";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() != null && openAPI.getComponents().getSchemas() != null) {
            for (String name : REQUEST_SCHEMAS) {
                Schema schema = openAPI.getComponents().getSchemas().get(name);
                Schema format =
                        schema == null || schema.getProperties() == null
                                ? null
                                : schema.getProperties().get(FORMAT_PROPERTY);
                if (format == null) {
                    throw new IllegalStateException(
                            "schema " + name + " has no " + FORMAT_PROPERTY + " property");
                }
                format.setEnumeration(new ArrayList<>(AudioFormat.names()));
            }
        }
        for (String path : SPEECH_PATHS) {
            PathItem item =
                    openAPI.getPaths() == null ? null : openAPI.getPaths().getPathItem(path);
            Operation post = item == null ? null : item.getPOST();
            APIResponse ok =
                    post == null || post.getResponses() == null
                            ? null
                            : post.getResponses().getAPIResponse("200");
            if (ok == null) {
                throw new IllegalStateException("POST " + path + " has no 200 response");
            }
            if (ok.getContent() == null) {
                ok.setContent(OASFactory.createContent());
            }
            listAudio(ok.getContent());
        }
    }

    /**
     * Every format's media type (binary), then what the operation declared besides. Declared audio
     * types are replaced, and so is the {@code application/json} the scanner infers for a method
     * without {@code @Produces} (these operations set the type per request and never answer 200
     * with JSON). Edited in place: the response keeps its other fields in their order.
     */
    private static void listAudio(Content content) {
        Map<String, MediaType> others = new LinkedHashMap<>();
        if (content.getMediaTypes() != null) {
            others.putAll(content.getMediaTypes());
            others.keySet().forEach(content::removeMediaType);
        }
        others.keySet().removeIf(t -> t.startsWith("audio/") || t.equals("application/json"));
        for (AudioFormat f : AudioFormat.values()) {
            content.addMediaType(
                    f.mediaType(),
                    OASFactory.createMediaType()
                            .schema(
                                    OASFactory.createSchema()
                                            .addType(Schema.SchemaType.STRING)
                                            .format("binary")));
        }
        others.forEach(content::addMediaType);
    }
}
