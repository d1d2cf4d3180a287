package dev.csmserver.api;

import static io.restassured.RestAssured.given;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.WavWriter;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/** Shared helpers of the HTTP tests: WAV bytes to upload, speech calls, header parsing, metrics. */
final class ApiTestSupport {
    static final int HEADER = WavWriter.HEADER_BYTES;

    private ApiTestSupport() {}

    /** A WAV of a decaying chirp: {@code seconds} long at {@code rateHz} (16-bit). */
    static byte[] wav(double seconds, int rateHz) {
        float[] s = new float[(int) Math.round(seconds * rateHz)];
        for (int i = 0; i < s.length; i++) {
            double t = i / (double) rateHz;
            s[i] = (float) (0.3 * Math.sin(2 * Math.PI * (180 + 120 * t) * t) * Math.exp(-0.3 * t));
        }
        return WavWriter.write(new Pcm(s, rateHz));
    }

    static Response speech(String json) {
        return given().contentType(ContentType.JSON).body(json).when().post("/v1/speech");
    }

    static int le32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** How many times {@code RIFF} occurs in {@code b}. */
    static int riffCount(byte[] b) {
        int n = 0;
        for (int i = 0; i + 4 <= b.length; i++) {
            if (b[i] == 'R' && b[i + 1] == 'I' && b[i + 2] == 'F' && b[i + 3] == 'F') {
                n++;
            }
        }
        return n;
    }

    static URI uri(String path) {
        return URI.create(RestAssured.baseURI + ":" + RestAssured.port + path);
    }

    static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    static HttpRequest post(String path, String json) {
        return HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    /**
     * The value of a Prometheus counter or gauge line starting with {@code series}, summed; 0 if
     * absent.
     */
    static double metric(String series) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ") || line.startsWith(series + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Polls {@code condition} every 50 ms until it holds; fails after {@code seconds}. */
    static void await(int seconds, java.util.concurrent.Callable<Boolean> condition)
            throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.call()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Jobs waiting in the queue, from the liveness check's data. */
    static int queuedRequests() {
        return given().when().get("/q/health/live").then().extract().path("checks[0].data.queued");
    }

    /** Requests in the running batch, from the liveness check's data. */
    static int activeRequests() {
        return given().when().get("/q/health/live").then().extract().path("checks[0].data.active");
    }
}
