package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case in {@code src/test/resources/bad-inputs/} (see its README) gets its 4xx status and
 * problem+json {@code type}, and after each one the service still answers a good request.
 */
@QuarkusTest
public class BadInputCorpusTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    private static final Path CORPUS = Path.of("src/test/resources/bad-inputs");
    private static final Pattern REPEAT = Pattern.compile("@@REPEAT\\((.),(\\d+)\\)@@");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyCaseIsAProblemAndTheServiceSurvives() throws IOException {
        List<Path> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORPUS)) {
            files.filter(p -> p.toString().endsWith(".json")).sorted().forEach(cases::add);
        }
        assertTrue(cases.size() >= 60, "the corpus has " + cases.size() + " cases");
        return cases.stream()
                .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> run(p)));
    }

    private static void run(Path file) throws IOException {
        JsonNode c = JSON.readTree(file.toFile());
        Response r = request(c).request(c.get("method").asText(), c.get("path").asText());
        String where =
                file.getFileName() + " (" + c.path("description").asText() + "): " + r.asString();
        int expected = c.get("expect_status").asInt();
        assertEquals(expected, r.statusCode(), where);
        assertTrue(
                r.contentType().startsWith("application/problem+json"),
                "content type " + r.contentType() + " " + where);
        assertEquals(
                "urn:csm-server:problem:" + c.get("expect_type").asText(),
                r.jsonPath().getString("type"),
                where);
        assertEquals(expected, r.jsonPath().getInt("status"), where);
        assertTrue(r.jsonPath().getString("detail") != null, where);
        ApiTestSupport.speech("{\"text\":\"Still fine.\",\"max_audio_length_ms\":80}")
                .then()
                .statusCode(200);
    }

    private static RequestSpecification request(JsonNode c) {
        // raw bodies go out as written, whatever the declared type (form bodies included)
        RequestSpecification spec =
                given().config(
                                RestAssured.config()
                                        .encoderConfig(
                                                EncoderConfig.encoderConfig()
                                                        .encodeContentTypeAs(
                                                                "application/x-www-form-urlencoded",
                                                                ContentType.TEXT)));
        if (c.has("multipart")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("multipart").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                switch (f.getKey()) {
                    case "audio_base64":
                        spec =
                                spec.multiPart(
                                        "audio",
                                        "audio.wav",
                                        Base64.getDecoder().decode(f.getValue().asText()),
                                        "audio/wav");
                        break;
                    case "audio_zero_bytes":
                        spec =
                                spec.multiPart(
                                        "audio",
                                        "audio.wav",
                                        new byte[f.getValue().asInt()],
                                        "audio/wav");
                        break;
                    default:
                        spec = spec.multiPart(f.getKey(), f.getValue().asText());
                }
            }
            return spec;
        }
        if (c.has("content_type")) {
            spec = spec.contentType(c.get("content_type").asText());
        }
        if (c.has("body")) {
            spec = spec.body(expand(c.get("body").asText()).getBytes(StandardCharsets.UTF_8));
        }
        return spec;
    }

    /** {@code @@REPEAT(c,n)@@} stands for n copies of c (keeps oversize cases small on disk). */
    private static String expand(String body) {
        Matcher m = REPEAT.matcher(body);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(
                    out, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(out);
        return out.toString();
    }
}
