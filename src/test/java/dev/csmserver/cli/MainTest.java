package dev.csmserver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.WavReader;
import dev.csmserver.golden.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on the demo model: generate writes a playable, watermarked WAV; bad options are refused;
 * on a folder laid out like the published repo, the conversation takes its voices by default.
 */
class MainTest {
    @TempDir Path dir;

    private static String run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                Main.run(CliArgs.parse(argv), new PrintStream(out, true, StandardCharsets.UTF_8)));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void generateWritesAWavAndDetectFindsTheWatermark() {
        Path wav = dir.resolve("hello.wav");
        // the demo's random audio is a poor carrier: it takes several seconds to reach the
        // detection threshold
        String log =
                run(
                        "generate",
                        "--text",
                        "Hello there friend, how are you doing today?",
                        "--max-audio-ms",
                        "8000",
                        "--seed",
                        "5",
                        "--device",
                        "cpu",
                        "--out",
                        wav.toString());
        assertTrue(log.contains("DEMO"), log);
        Pcm pcm = WavReader.read(wav);
        assertEquals(24_000, pcm.sampleRateHz());
        assertTrue(
                pcm.samples().length > 0 && pcm.samples().length <= 100 * 1920,
                "length " + pcm.samples().length);
        assertTrue(run("detect", "--in", wav.toString()).contains("detected=true"));
    }

    @Test
    void conversationWritesTheFourTurns() {
        Path wav = dir.resolve("full_conversation.wav");
        String log =
                run(
                        "conversation",
                        "--max-audio-ms",
                        "320",
                        "--device",
                        "cpu",
                        "--out",
                        wav.toString());
        assertEquals(4, log.lines().filter(l -> l.startsWith("turn ")).count(), log);
        assertTrue(WavReader.read(wav).samples().length > 0);
    }

    @Test
    void conversationOnAPublishedRepoFolderUsesItsTwoVoicesWithoutPromptFlags() throws Exception {
        Path hub = Fixtures.require(Fixtures.csm().resolve("hub"));
        Path byDefault = dir.resolve("default.wav");
        String log =
                run(
                        "conversation",
                        "--model-dir",
                        hub.toString(),
                        "--max-audio-ms",
                        "240",
                        "--device",
                        "cpu",
                        "--dtype",
                        "float32",
                        "--out",
                        byDefault.toString());
        assertTrue(
                log.contains("prompt conversational_a: the model's prompts/conversational_a.wav"),
                log);
        assertTrue(
                log.contains("prompt conversational_b: the model's prompts/conversational_b.wav"),
                log);
        Path byFlags = dir.resolve("flags.wav");
        run(
                "conversation",
                "--model-dir",
                hub.toString(),
                "--max-audio-ms",
                "240",
                "--device",
                "cpu",
                "--dtype",
                "float32",
                "--out",
                byFlags.toString(),
                "--prompt-a",
                hub.resolve("prompts/conversational_a.wav").toString(),
                "--prompt-b",
                hub.resolve("prompts/conversational_b.wav").toString());
        // The built-in voices are the reference's prompt files, encoded once at load.
        assertArrayEquals(Files.readAllBytes(byFlags), Files.readAllBytes(byDefault));
    }

    @Test
    void refusesUnknownCommandsAndOptions() {
        assertThrows(IllegalArgumentException.class, () -> CliArgs.parse(new String[] {"speak"}));
        assertThrows(
                IllegalArgumentException.class,
                () -> CliArgs.parse(new String[] {"generate", "--voice", "x"}));
        assertThrows(
                IllegalArgumentException.class,
                () -> CliArgs.parse(new String[] {"generate", "--text"}));
    }
}
