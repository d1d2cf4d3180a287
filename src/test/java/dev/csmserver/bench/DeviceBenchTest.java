package dev.csmserver.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the GPU kit ({@code gpu/}, {@link DeviceBench}) from rotting while no GPU is at hand: the
 * bench runs end to end on the demo model's tiny shapes on this CPU (timings printed, never
 * checked), its scripts parse, and the README's run call matches what prepare.sh packs.
 */
class DeviceBenchTest {
    private static final List<Path> SCRIPTS =
            List.of(
                    Path.of("gpu/prepare.sh"),
                    Path.of("gpu/run-device.sh"),
                    Path.of("gpu/build-jni.sh"));

    @Test
    void theBenchPrintsAnRtfLineForEveryBatchSizeAndEveryStreamHearsAudio() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<DeviceBench.Result> results;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            results =
                    DeviceBench.run(
                            DeviceBench.Settings.parse(
                                    "shapes=small",
                                    "device=cpu",
                                    "batches=1,3",
                                    "steps=2",
                                    "warmup=0"),
                            out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        for (int batch : new int[] {1, 3}) {
            Matcher m =
                    Pattern.compile(
                                    "(?m)^RESULT batch "
                                            + batch
                                            + ": [0-9.]+ ms/step .*, RTF [0-9.]+, \\d+/"
                                            + batch
                                            + " streams faster than real time")
                            .matcher(printed);
            assertTrue(m.find(), "no RTF line for batch " + batch + " in:\n" + printed);
        }
        assertEquals(2, results.size());
        for (DeviceBench.Result r : results) {
            // every stream's sink got watermarked audio during the measured steps
            assertTrue(r.slowestSpeed() > 0, "a stream of batch " + r.batch() + " got no audio");
        }
    }

    @Test
    void anUnknownSettingIsRefusedRatherThanIgnored() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DeviceBench.Settings.parse("batch=8"));
        assertTrue(e.getMessage().contains("batch=8"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> DeviceBench.Settings.parse("shapes=huge"));
    }

    @Test
    void theKitScriptsPassBashN() throws Exception {
        for (Path script : SCRIPTS) {
            Process p =
                    new ProcessBuilder("bash", "-n", script.toString())
                            .redirectErrorStream(true)
                            .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash -n " + script + " hung");
            assertEquals(0, p.exitValue(), "bash -n " + script + ":\n" + out);
        }
    }

    @Test
    void theReadmeRunCallCarriesWhatPrepareShPacks() throws IOException {
        String prepare = Files.readString(Path.of("gpu/prepare.sh"));
        Matcher dest = Pattern.compile("DEST=\\$\\{DEST:-([^}]+)}").matcher(prepare);
        assertTrue(dest.find(), "prepare.sh sets no default DEST");
        String pack = dest.group(1);
        String call =
                "run(carry=[\""
                        + pack
                        + "\"], command=\"bash "
                        + pack
                        + "/run-device.sh\", timeout_s=540)";
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("## Running on a GPU"), "README.md has no GPU section");
        assertTrue(readme.contains(call), "README.md does not show " + call);
        assertTrue(prepare.contains("run-device.sh"), "prepare.sh does not pack run-device.sh");
        assertTrue(
                Files.readString(Path.of(".gitignore"))
                        .lines()
                        .anyMatch(l -> l.equals("/" + pack + "/")),
                ".gitignore does not ignore /" + pack + "/");
    }
}
