package dev.csmserver.audio.watermark;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.SincResampler;
import dev.csmserver.audio.WavReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real speech for watermark tests and benches: espeak-ng (Debian package {@code espeak-ng}, which
 * {@code .ci/run} installs) speaks varied texts with varied voices, speeds and pitches into a temp
 * directory; each 22.05 kHz WAV is read back and resampled to 24 kHz. Nothing is committed; the
 * same seed gives the same clips. Fails, never skips, when espeak-ng is missing.
 */
public final class SpeechClips {
    static final String[] SENTENCES = {
        "The quick brown fox jumps over the lazy dog near the river bank.",
        "Please call Stella and ask her to bring these things with her from the store.",
        "Six spoons of fresh snow peas, five thick slabs of blue cheese, and a snack for her brother.",
        "We also need a small plastic snake and a big toy frog for the kids.",
        "She can scoop these things into three red bags, and we will meet her at the station.",
        "When the sunlight strikes raindrops in the air, they act as a prism and form a rainbow.",
        "The rainbow is a division of white light into many beautiful colors.",
        "These take the shape of a long round arch, with its path high above.",
        "Throughout the centuries people have explained the rainbow in various ways.",
        "Some have accepted it as a miracle without physical explanation.",
        "I would like a cup of coffee with milk and two sugars, please.",
        "Numbers like forty two, one thousand and seven, and three point one four are easy.",
        "The meeting has been moved to Thursday afternoon at half past three.",
        "Could you tell me the way to the nearest train station?",
        "Artificial voices should always be marked so that listeners can tell them apart.",
        "The weather tomorrow will be cloudy with a chance of light rain in the evening.",
        "He read the long report twice before he signed it and sent it back.",
        "Bright stars shimmered over the quiet harbor as the boats came home.",
        "Good morning! Your package will arrive between nine and eleven.",
        "A journey of a thousand miles begins with a single step.",
        "Water boils at one hundred degrees Celsius at sea level.",
        "She sells sea shells by the sea shore, and the shells she sells are surely sea shells.",
        "Thank you for calling; all of our agents are busy at the moment.",
        "The library closes early on Sundays, so plan your visit accordingly.",
        "Pack my box with five dozen liquor jugs.",
        "Every morning the baker wakes up at four to prepare fresh bread.",
        "Turn left at the second light, then continue straight for two miles.",
        "My favourite season is autumn, when the leaves turn red and gold.",
        "The children laughed and chased each other around the old oak tree.",
        "Please remember to save your work before closing the application.",
    };
    static final String[] VOICES = {
        "en-us",
        "en-gb",
        "en-gb-scotland",
        "en-gb-x-rp",
        "en-029",
        "en-us-nyc",
        "en-gb-x-gbclan",
        "en-gb-x-gbcwmd",
    };
    static final String[] VARIANTS = {"", "+f1", "+f2", "+f3", "+f4", "+m1", "+m3", "+m5", "+m7"};

    private SpeechClips() {}

    /** {@code count} clips at 24 kHz, each one or two sentences, deterministic for a seed. */
    public static List<float[]> generate(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<float[]> clips = new ArrayList<>();
        try {
            Path dir = Files.createTempDirectory("speech-clips");
            try {
                for (int i = 0; i < count; i++) {
                    String text = SENTENCES[random.nextInt(SENTENCES.length)];
                    if (random.nextInt(3) == 0) {
                        text += " " + SENTENCES[random.nextInt(SENTENCES.length)];
                    }
                    String voice =
                            VOICES[random.nextInt(VOICES.length)]
                                    + VARIANTS[random.nextInt(VARIANTS.length)];
                    int speed = 120 + random.nextInt(100);
                    int pitch = 25 + random.nextInt(50);
                    clips.add(speak(dir.resolve("clip" + i + ".wav"), text, voice, speed, pitch));
                }
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.delete(f);
                    }
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return clips;
    }

    private static float[] speak(Path wav, String text, String voice, int speed, int pitch)
            throws IOException {
        Process p =
                new ProcessBuilder(
                                "espeak-ng",
                                "-v",
                                voice,
                                "-s",
                                Integer.toString(speed),
                                "-p",
                                Integer.toString(pitch),
                                "-w",
                                wav.toString(),
                                text)
                        .redirectErrorStream(true)
                        .start();
        String log = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("espeak-ng failed for voice " + voice + ": " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Pcm pcm = WavReader.read(wav);
        return SincResampler.resample(pcm.samples(), pcm.sampleRateHz(), 24_000);
    }
}
