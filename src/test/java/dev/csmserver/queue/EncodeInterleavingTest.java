package dev.csmserver.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.audio.Pcm;
import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.metrics.Meters;
import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.queue.InferenceWorkerTest.Collector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A long context encode runs on the inference worker a chunk per turn, between the frame steps of
 * the streams running meanwhile, on the real demo pipeline.
 */
class EncodeInterleavingTest extends DemoWorkerTests {
    /**
     * 30 s of context audio take 12 chunks; a stream running meanwhile gets a frame after every
     * chunk but the last (the encode chunk counter, read at each of its frames, takes every value
     * from 1 to 11), and the codes are those of the one-go encode.
     */
    @Test
    void aRunningStreamGetsAFrameBetweenEveryTwoChunksOfALongEncode() throws Exception {
        int rate = pipeline.info().sampleRateHz();
        float[] samples = new float[30 * rate];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) (0.3 * Math.sin(i * 0.01) * Math.sin(i * 0.0003));
        }
        Pcm audio = new Pcm(samples, rate);
        int[][] expected = pipeline.encode(audio);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InferenceQueue queue = queue(4, 2);
        InferenceWorker worker =
                new InferenceWorker(pipeline, queue, new InferenceMetrics(registry)).start();
        List<Integer> chunksAtFrame = new ArrayList<>();
        List<Long> frameNanos = new ArrayList<>();
        Collector c =
                new Collector() {
                    @Override
                    public synchronized void accept(AudioChunk chunk) {
                        super.accept(chunk);
                        chunksAtFrame.add((int) registry.counter(Meters.ENCODE_CHUNKS).count());
                        frameNanos.add(System.nanoTime());
                    }
                };
        try {
            Job job = new Job("running", request("A long one.", 20_000, 5), c);
            queue.submit(job);
            assertTrue(c.firstChunk.await(30, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            int[][] codes = worker.encode(audio).get(120, TimeUnit.SECONDS);
            long encodeNanos = System.nanoTime() - t0;
            assertArrayEquals(expected, codes, "codes of the interleaved encode");
            List<Integer> seen;
            List<Long> times;
            synchronized (c) {
                seen = new ArrayList<>(chunksAtFrame);
                times = new ArrayList<>(frameNanos);
            }
            for (int k = 1; k < 12; k++) {
                assertTrue(
                        seen.contains(k),
                        "no frame between chunks " + k + " and " + (k + 1) + ": " + seen);
            }
            assertEquals(12.0, registry.counter(Meters.ENCODE_CHUNKS).count());
            long maxGap = 0;
            for (int i = 1; i < times.size(); i++) {
                if (seen.get(i) > 0 && seen.get(i - 1) < 12) {
                    maxGap = Math.max(maxGap, times.get(i) - times.get(i - 1));
                }
            }
            System.out.printf(
                    "30 s encode: %d ms in 12 chunks; longest gap between frames meanwhile %d"
                            + " ms%n",
                    encodeNanos / 1_000_000, maxGap / 1_000_000);
            job.cancel("test over");
            c.done.get(30, TimeUnit.SECONDS);
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }
}
