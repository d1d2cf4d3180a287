package dev.csmserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Broken multipart bodies are the client's fault and get a 4xx problem+json, never a text/plain or
 * generic 500 (issue 16): a wrong or missing closing boundary, no boundary at all, and more parts
 * than {@code quarkus.http.limits.max-form-attributes} (1000), as text fields or as files. After
 * each one the same upload, well formed, still works.
 */
@QuarkusTest
public class MalformedFormTest {
    private static final String BOUNDARY = "csm-test-boundary";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One broken form: what it is, its Content-Type, its body and the problem it must get (any type
     * if null).
     */
    private record Case(String name, String contentType, byte[] body, int status, String type) {}

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @TestFactory
    Stream<DynamicTest> everyBrokenFormIsAClientProblem() {
        String multipart = "multipart/form-data; boundary=" + BOUNDARY;
        String upload =
                part("text", null, "Hello there.")
                        + part("speaker", null, "0")
                        + part("audio", "a.wav", "RIFF....WAVE");
        List<Case> cases =
                List.of(
                        new Case(
                                "wrong closing boundary",
                                multipart,
                                bytes(upload + "--another-boundary--\r\n"),
                                400,
                                "malformed-request"),
                        new Case(
                                "no closing boundary",
                                multipart,
                                bytes(upload),
                                400,
                                "malformed-request"),
                        new Case(
                                "cut inside a part",
                                multipart,
                                bytes(
                                        "--"
                                                + BOUNDARY
                                                + "\r\nContent-Disposition: form-data;"
                                                + " name=\"text\"\r\n\r\nHel"),
                                400,
                                "malformed-request"),
                        // no boundary, no parts: the endpoint's own "field missing" problem
                        new Case(
                                "no boundary parameter",
                                "multipart/form-data",
                                bytes(upload + close()),
                                400,
                                null),
                        new Case(
                                "1001 text parts",
                                multipart,
                                manyParts(1001, false),
                                400,
                                "malformed-request"),
                        new Case(
                                "1001 file parts",
                                multipart,
                                manyParts(1001, true),
                                400,
                                "malformed-request"));
        return Stream.of("/v1/contexts", "/v1/watermark/detect")
                .flatMap(
                        path ->
                                cases.stream()
                                        .map(
                                                c ->
                                                        DynamicTest.dynamicTest(
                                                                path + ": " + c.name(),
                                                                () -> check(path, c))));
    }

    private static void check(String path, Case c) throws Exception {
        HttpClient client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
        HttpResponse<String> r =
                client.send(
                        HttpRequest.newBuilder(ApiTestSupport.uri(path))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", c.contentType())
                                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        String where = path + " " + c.name() + ": " + r.statusCode() + " " + r.body();
        assertEquals(c.status(), r.statusCode(), where);
        assertTrue(
                r.headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith(ProblemMapper.PROBLEM_JSON),
                where);
        JsonNode problem = JSON.readTree(r.body());
        if (c.type() != null) {
            assertEquals(
                    "urn:csm-server:problem:" + c.type(), problem.path("type").asText(), where);
        }
        assertNotNull(problem.get("detail"), where);
        HttpResponse<String> good =
                client.send(
                        HttpRequest.newBuilder(ApiTestSupport.uri("/v1/watermark/detect"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "audio/wav")
                                .POST(
                                        HttpRequest.BodyPublishers.ofByteArray(
                                                ApiTestSupport.wav(1.5, 24000)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, good.statusCode(), "a good request after " + where + ": " + good.body());
    }

    private static String part(String name, String fileName, String content) {
        String file = fileName == null ? "" : "; filename=\"" + fileName + "\"";
        String disposition = "form-data; name=\"" + name + "\"" + file;
        String type = fileName == null ? "" : "Content-Type: audio/wav\r\n";
        return "--"
                + BOUNDARY
                + "\r\nContent-Disposition: "
                + disposition
                + "\r\n"
                + type
                + "\r\n"
                + content
                + "\r\n";
    }

    private static String close() {
        return "--" + BOUNDARY + "--\r\n";
    }

    private static byte[] manyParts(int n, boolean files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            out.writeBytes(bytes(part("f" + i, files ? "f" + i + ".wav" : null, "x")));
        }
        out.writeBytes(bytes(close()));
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
