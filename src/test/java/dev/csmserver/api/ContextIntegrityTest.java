package dev.csmserver.api;

import static dev.csmserver.api.ApiTestSupport.speech;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.contexts.CorruptEntries;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Context ids are create-once and the store's damage stays local, over HTTP on the file store:
 * parallel uploads to one id store exactly one; {@code save_as} never replaces an id, neither one
 * taken before the request (409 before any audio) nor one taken while the turn is generated; and a
 * truncated, foreign or forged file is left out of the listing and is a problem+json when read or
 * used, never a 500 with a stack trace or an OutOfMemoryError.
 */
@QuarkusTest
public class ContextIntegrityTest {
    /**
     * {@code %test.csm.contexts.dir}: the app and this test share the directory (the jar runs here
     * too).
     */
    private static final Path STORE = Path.of("target/test-contexts");

    private static final String CORRUPT = "urn:csm-server:problem:context-corrupt";
    private static final String EXISTS = "urn:csm-server:problem:context-exists";

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    /** A multipart upload of 0.5 s of audio under {@code id} with transcript {@code text}. */
    private static HttpRequest upload(String id, String text) {
        String boundary = "csm-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String[] f : new String[][] {{"id", id}, {"text", text}}) {
            body.writeBytes(
                    ("--"
                                    + boundary
                                    + "\r\nContent-Disposition: form-data; name=\""
                                    + f[0]
                                    + "\"\r\n\r\n"
                                    + f[1]
                                    + "\r\n")
                            .getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"t.wav\""
                                + "\r\nContent-Type: audio/wav\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(ApiTestSupport.wav(0.5, 16000));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(ApiTestSupport.uri("/v1/contexts"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
    }

    @Test
    public void ofParallelUploadsToOneIdExactlyOneIsStoredAndTheRestAreConflicts()
            throws Exception {
        String id = "ctx-parallel";
        given().when().delete("/v1/contexts/" + id);
        var client = ApiTestSupport.client();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(
                    client.sendAsync(
                            upload(id, "writer " + i), HttpResponse.BodyHandlers.ofString()));
        }
        List<String> created = new ArrayList<>();
        int conflicts = 0;
        for (int i = 0; i < sent.size(); i++) {
            HttpResponse<String> r = sent.get(i).get();
            if (r.statusCode() == 201) {
                created.add("writer " + i);
            } else {
                assertEquals(409, r.statusCode(), r.body());
                assertEquals(true, r.body().contains(EXISTS), r.body());
                conflicts++;
            }
        }
        assertEquals(1, created.size(), "uploads answered 201: " + created);
        assertEquals(4, conflicts);
        given().when()
                .get("/v1/contexts/" + id)
                .then()
                .statusCode(200)
                .body("text", equalTo(created.get(0)));
        given().when().delete("/v1/contexts/" + id).then().statusCode(204);
    }

    @Test
    public void saveAsOntoAnUploadedIdIsAConflictBeforeAnyAudio() throws Exception {
        String id = "ctx-taken";
        given().when().delete("/v1/contexts/" + id);
        assertEquals(
                201,
                ApiTestSupport.client()
                        .send(upload(id, "Uploaded."), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        speech("{\"text\":\"Generated.\",\"max_audio_length_ms\":240,\"save_as\":\"" + id + "\"}")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo(EXISTS));
        given().when()
                .get("/v1/contexts/" + id)
                .then()
                .statusCode(200)
                .body("text", equalTo("Uploaded."));
        given().when().delete("/v1/contexts/" + id).then().statusCode(204);
    }

    @Test
    public void anIdTakenWhileTheTurnIsGeneratedKeepsItsContext() throws Exception {
        String id = "ctx-taken-meanwhile";
        given().when().delete("/v1/contexts/" + id);
        double notSavedBefore = ApiTestSupport.metric("csm_contexts_not_saved_total");
        var client = ApiTestSupport.client();
        HttpResponse<InputStream> stream =
                client.send(
                        ApiTestSupport.post(
                                "/v1/speech",
                                "{\"text\":\"Generated turn.\",\"max_audio_length_ms\":20000,\"save_as\":\""
                                        + id
                                        + "\"}"),
                        HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        try (InputStream audio = stream.body()) {
            // the header and a first frame: the request is validated and generating
            audio.readNBytes(ApiTestSupport.HEADER + 1920 * 2);
            HttpResponse<String> up =
                    client.send(
                            upload(id, "Uploaded meanwhile."),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(201, up.statusCode(), up.body());
            audio.readAllBytes();
        }
        ApiTestSupport.await(
                30, () -> ApiTestSupport.metric("csm_contexts_not_saved_total") > notSavedBefore);
        given().when()
                .get("/v1/contexts/" + id)
                .then()
                .statusCode(200)
                .body("text", equalTo("Uploaded meanwhile."));
        given().when().delete("/v1/contexts/" + id).then().statusCode(204);
    }

    @Test
    public void aWholeFileWhoseSaveLostItsIdIsAConflictInsteadOfTheAudio() throws Exception {
        String id = "ctx-taken-meanwhile-whole";
        given().when().delete("/v1/contexts/" + id);
        ApiTestSupport.await(30, () -> ApiTestSupport.activeRequests() == 0);
        var client = ApiTestSupport.client();
        var whole =
                client.sendAsync(
                        ApiTestSupport.post(
                                "/v1/speech",
                                "{\"text\":\"Generated turn.\","
                                        + "\"max_audio_length_ms\":20000,\"stream\":false,\"save_as\":\""
                                        + id
                                        + "\"}"),
                        HttpResponse.BodyHandlers.ofString());
        ApiTestSupport.await(
                30, () -> ApiTestSupport.activeRequests() == 1); // validated and generating
        HttpResponse<String> up =
                client.send(
                        upload(id, "Uploaded meanwhile."), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, up.statusCode(), up.body());
        HttpResponse<String> r = whole.get(2, java.util.concurrent.TimeUnit.MINUTES);
        assertEquals(
                409, r.statusCode(), "the client hears the turn was not saved, before any audio");
        assertEquals(
                ProblemMapper.PROBLEM_JSON,
                r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        assertTrue(r.body().contains(EXISTS), r.body());
        given().when()
                .get("/v1/contexts/" + id)
                .then()
                .statusCode(200)
                .body("text", equalTo("Uploaded meanwhile."));
        given().when().delete("/v1/contexts/" + id).then().statusCode(204);
    }

    @Test
    public void damagedEntriesAreLeftOutOfTheListAndAreAProblemWhenReadOrUsed() throws Exception {
        String good = "ctx-good-neighbour";
        given().when().delete("/v1/contexts/" + good);
        assertEquals(
                201,
                ApiTestSupport.client()
                        .send(upload(good, "Fine."), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        Map<String, byte[]> bad = CorruptEntries.forIdsPrefixed("ctx-damaged-");
        for (var e : bad.entrySet()) {
            Files.write(STORE.resolve(e.getKey() + ".ctx"), e.getValue());
        }
        try {
            double corruptBefore = ApiTestSupport.metric("csm_contexts_corrupt_total");
            given().when()
                    .get("/v1/contexts")
                    .then()
                    .statusCode(200)
                    .body("contexts.id", hasItem(good))
                    .body("contexts.id", not(hasItem("ctx-damaged-truncated")))
                    .body("contexts.id", not(hasItem("ctx-damaged-bogus-header")));
            assertEquals(
                    true,
                    ApiTestSupport.metric("csm_contexts_corrupt_total")
                            >= corruptBefore + bad.size());
            for (String id : bad.keySet()) {
                given().when()
                        .get("/v1/contexts/" + id)
                        .then()
                        .statusCode(500)
                        .contentType("application/problem+json")
                        .body("type", equalTo(CORRUPT));
                speech(
                                "{\"text\":\"Hi.\",\"max_audio_length_ms\":240,\"context\":[{\"context_id\":\""
                                        + id
                                        + "\"}]}")
                        .then()
                        .statusCode(500)
                        .contentType("application/problem+json")
                        .body("type", equalTo(CORRUPT));
                given().contentType(ContentType.JSON)
                        .body("{\"input\":\"Hi.\",\"voice\":\"" + id + "\"}")
                        .post("/v1/audio/speech")
                        .then()
                        .statusCode(500)
                        .contentType("application/problem+json")
                        .body("type", equalTo(CORRUPT));
                HttpResponse<String> again =
                        ApiTestSupport.client()
                                .send(upload(id, "Again."), HttpResponse.BodyHandlers.ofString());
                assertEquals(409, again.statusCode(), again.body());
                given().when().delete("/v1/contexts/" + id).then().statusCode(204);
                assertEquals(
                        201,
                        ApiTestSupport.client()
                                .send(upload(id, "Again."), HttpResponse.BodyHandlers.ofString())
                                .statusCode(),
                        id + " is usable once deleted");
                given().when()
                        .get("/v1/contexts/" + id)
                        .then()
                        .statusCode(200)
                        .body("text", equalTo("Again."));
            }
        } finally {
            for (String id : bad.keySet()) {
                Files.deleteIfExists(STORE.resolve(id + ".ctx"));
            }
            given().when().delete("/v1/contexts/" + good);
        }
    }
}
