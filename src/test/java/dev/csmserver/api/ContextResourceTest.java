package dev.csmserver.api;

import static dev.csmserver.api.ApiTestSupport.speech;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/contexts}: upload (Mimi-encoded once), list, get, use in speech and OpenAI voice,
 * delete.
 */
@QuarkusTest
public class ContextResourceTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    private static void upload(String id, double seconds, int speaker) {
        given().multiPart("audio", "turn.wav", ApiTestSupport.wav(seconds, 16000), "audio/wav")
                .multiPart("text", "How are you doing today?")
                .multiPart("speaker", Integer.toString(speaker))
                .multiPart("id", id)
                .when()
                .post("/v1/contexts")
                .then()
                .statusCode(201)
                .header("Location", org.hamcrest.Matchers.endsWith("/v1/contexts/" + id))
                .body("id", equalTo(id))
                .body("speaker", equalTo(speaker))
                // 1 s at 12.5 frames/s: the encoder covers every sample (ceil)
                .body("frames", equalTo((int) Math.ceil(seconds * 12.5)));
    }

    @Test
    public void uploadListGetUseDelete() {
        given().when().delete("/v1/contexts/ctx-round-trip");
        upload("ctx-round-trip", 1.0, 1);
        given().when()
                .get("/v1/contexts")
                .then()
                .statusCode(200)
                .body("contexts.id", hasItem("ctx-round-trip"));
        given().when()
                .get("/v1/contexts/ctx-round-trip")
                .then()
                .statusCode(200)
                .body("text", equalTo("How are you doing today?"))
                .body("duration_seconds", equalTo(1.04f));
        speech(
                        "{\"text\":\"Fine, thanks.\",\"speaker\":0,\"max_audio_length_ms\":240,"
                                + "\"context\":[{\"context_id\":\"ctx-round-trip\"}]}")
                .then()
                .statusCode(200);
        given().contentType(ContentType.JSON)
                .body(
                        "{\"input\":\"Using a stored voice.\",\"voice\":\"ctx-round-trip\",\"response_format\":\"pcm\"}")
                .post("/v1/audio/speech")
                .then()
                .statusCode(200)
                .contentType("audio/pcm");
        given().multiPart("audio", "turn.wav", ApiTestSupport.wav(0.3, 24000), "audio/wav")
                .multiPart("text", "again")
                .multiPart("id", "ctx-round-trip")
                .when()
                .post("/v1/contexts")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:csm-server:problem:context-exists"));
        given().when().delete("/v1/contexts/ctx-round-trip").then().statusCode(204);
        given().when()
                .get("/v1/contexts/ctx-round-trip")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        given().when()
                .get("/v1/contexts")
                .then()
                .statusCode(200)
                .body("contexts.id", not(hasItem("ctx-round-trip")));
    }

    @Test
    public void aPromptThatCannotFitTheContextIsRefusedBeforeStreaming() {
        given().when().delete("/v1/contexts/ctx-long");
        upload("ctx-long", 19.0, 0);
        StringBuilder ctx = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            ctx.append(i == 0 ? "" : ",").append("{\"context_id\":\"ctx-long\"}");
        }
        speech("{\"text\":\"Too much.\",\"max_audio_length_ms\":10000,\"context\":[" + ctx + "]}")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:csm-server:problem:prompt-too-long"));
        given().when().delete("/v1/contexts/ctx-long").then().statusCode(204);
    }
}
