package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A progress line says what, how far, how fast and how long is left. */
class ProgressLogTest {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressLogTest.class);

    @Test
    void aDownloadLineHasTheFileBytesPercentRateAndEta() {
        ProgressLog p =
                ProgressLog.bytes(
                        LOG,
                        "downloading transformers-00001-of-00002.safetensors",
                        4_000_000_000L,
                        0);
        String line = p.line(1_000_000_000L, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        assertTrue(
                line.matches(
                        "downloading transformers-00001-of-00002\\.safetensors: 1000\\.0 / 4000\\.0 MB "
                                + "\\(25%\\), 100\\.0 MB/s, ETA 0m3[01]s"),
                line);
    }

    @Test
    void aResumedDownloadCountsOnlyTheNewBytesInItsRate() {
        ProgressLog p = ProgressLog.bytes(LOG, "downloading a", 2_000_000_000L, 1_000_000_000L);
        String line = p.line(1_500_000_000L, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        assertTrue(line.contains("(75%), 50.0 MB/s, ETA 0m1"), line);
    }

    @Test
    void aCountLineHasTheCountsAndNoEtaWhenDone() {
        ProgressLog p = ProgressLog.count(LOG, "loading weights", 21);
        assertTrue(
                p.line(12, System.nanoTime() + TimeUnit.SECONDS.toNanos(6))
                        .startsWith("loading weights: 12/21 (57%)"));
        assertEquals(
                "loading weights: 21/21 (100%)",
                p.line(21, System.nanoTime() + TimeUnit.SECONDS.toNanos(6)));
        assertEquals(-1, ProgressLog.bytes(LOG, "x", -1, 0).percent(5));
    }
}
