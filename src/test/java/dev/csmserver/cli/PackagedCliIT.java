package dev.csmserver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.audio.WavReader;
import dev.csmserver.golden.Fixtures;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a user runs it from the packaged app ({@code java -cp lib/main/*:app/*}), on a folder
 * laid out like the published repo: it starts without SLF4J complaints, shows the load's phases and
 * writes the WAV.
 */
class PackagedCliIT {
    @TempDir Path dir;

    @Test
    void theCliOnThePackagedAppRunsAPublishedRepoFolderWithoutSlf4jErrors()
            throws IOException, InterruptedException {
        Path app = Path.of("target/quarkus-app");
        String cp =
                app.resolve("lib/main")
                        + File.separator
                        + "*"
                        + File.pathSeparator
                        + app.resolve("app")
                        + File.separator
                        + "*";
        Path wav = dir.resolve("hello.wav");
        ProcessBuilder pb =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-cp",
                                        cp,
                                        "dev.csmserver.cli.Main",
                                        "generate",
                                        "--model-dir",
                                        Fixtures.csm().resolve("hub").toAbsolutePath().toString(),
                                        "--text",
                                        "Hello.",
                                        "--max-audio-ms",
                                        "400",
                                        "--seed",
                                        "1",
                                        "--out",
                                        wav.toString()))
                        .redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("SLF4J"), out);
        assertTrue(
                out.contains("loading weights") && out.contains("encoding voice conversational_a"),
                out);
        assertTrue(out.contains("model: local:hub"), out);
        assertTrue(WavReader.read(wav).samples().length > 0);
    }
}
