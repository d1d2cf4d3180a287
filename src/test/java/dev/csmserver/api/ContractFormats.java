package dev.csmserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.csmserver.audio.encode.AudioFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks an OpenAPI document against {@link AudioFormat}, the one list of formats: both speech
 * requests' {@code response_format} enumerate exactly its names, in its order, and both speech
 * operations answer 200 with exactly its media types (other kinds, such as server-sent events, may
 * stand beside them).
 */
final class ContractFormats {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ContractFormats() {}

    static void assertAgreesWithAudioFormat(String yaml, String source) throws IOException {
        JsonNode doc = YAML.readTree(yaml);
        for (String schema : AudioFormatsFilter.REQUEST_SCHEMAS) {
            JsonNode values =
                    doc.path("components")
                            .path("schemas")
                            .path(schema)
                            .path("properties")
                            .path(AudioFormatsFilter.FORMAT_PROPERTY)
                            .path("enum");
            List<String> listed = new ArrayList<>();
            values.forEach(v -> listed.add(v.asText()));
            assertEquals(
                    AudioFormat.names(),
                    listed,
                    source + ": " + schema + ".response_format must list AudioFormat's names");
        }
        Set<String> expected = new TreeSet<>();
        Arrays.stream(AudioFormat.values()).map(AudioFormat::mediaType).forEach(expected::add);
        for (String path : AudioFormatsFilter.SPEECH_PATHS) {
            JsonNode content =
                    doc.path("paths")
                            .path(path)
                            .path("post")
                            .path("responses")
                            .path("200")
                            .path("content");
            assertFalse(content.isMissingNode(), source + ": POST " + path + " has no 200 content");
            Set<String> audio = new TreeSet<>();
            content.fieldNames()
                    .forEachRemaining(
                            t -> {
                                if (t.startsWith("audio/")) {
                                    audio.add(t);
                                }
                            });
            assertEquals(
                    expected,
                    audio,
                    source + ": POST " + path + " must answer with AudioFormat's media types");
        }
    }
}
