package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code openapi.yaml} is the published contract: it must equal what the running
 * service serves at {@code /q/openapi}. On a difference the served document is written to {@code
 * target/openapi-served.yaml}; review it and copy it over {@code openapi.yaml}. Both must list
 * exactly the formats of audio.encode.AudioFormat (api.AudioFormatsFilter writes them in).
 */
@QuarkusTest
public class OpenApiDriftTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @Test
    public void committedContractEqualsTheServedDocument() throws IOException {
        String served =
                given().accept("application/yaml")
                        .when()
                        .get("/q/openapi")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString();
        String committed = Files.readString(Path.of("openapi.yaml"));
        if (!normalise(served).equals(normalise(committed))) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/openapi-served.yaml"), served);
        }
        assertEquals(
                normalise(committed),
                normalise(served),
                "openapi.yaml drifted from /q/openapi; see target/openapi-served.yaml");
    }

    @Test
    public void servedAndCommittedContractsListExactlyTheAudioFormats() throws IOException {
        String served =
                given().accept("application/yaml")
                        .when()
                        .get("/q/openapi")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString();
        ContractFormats.assertAgreesWithAudioFormat(served, "/q/openapi");
        ContractFormats.assertAgreesWithAudioFormat(
                Files.readString(Path.of("openapi.yaml")), "openapi.yaml");
    }

    private static String normalise(String yaml) {
        return yaml.replace("\r\n", "\n").replaceAll("[ \t]+\n", "\n").strip();
    }
}
