package dev.csmserver.audio.watermark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WatermarkKeyTest {
    @Test
    void defaultKeyCarriesTheDocumentedPayload() {
        WatermarkKey key = WatermarkKey.defaultKey();
        assertEquals(new WatermarkPayload(0xD4D3, 0x9238), key.payload());
        assertTrue(
                key.sameSecret(
                        WatermarkKey.fromSecret(WatermarkKey.DEFAULT_SECRET, key.payload())));
        assertFalse(key.toString().contains(WatermarkKey.DEFAULT_SECRET));
    }

    @Test
    void payloadBitsRoundTrip() {
        for (int bits : new int[] {0, 1, 0xFFFFFFFF, 0x80000000, 0xD4D39238, 0x12345678}) {
            assertEquals(bits, WatermarkPayload.fromBits(bits).bits());
        }
        assertThrows(IllegalArgumentException.class, () -> new WatermarkPayload(0x10000, 0));
        assertThrows(IllegalArgumentException.class, () -> new WatermarkPayload(0, -1));
    }

    @Test
    void blankSecretsAreRejected() {
        WatermarkPayload p = new WatermarkPayload(1, 2);
        assertThrows(IllegalArgumentException.class, () -> WatermarkKey.fromSecret("  ", p));
        assertThrows(IllegalArgumentException.class, () -> WatermarkKey.fromSecret(null, p));
    }

    @Test
    void codeLayoutIsDeterministicPerSecretAndDiffersBetweenSecrets() {
        WatermarkPayload p = new WatermarkPayload(7, 9);
        WatermarkCode a = new WatermarkCode(WatermarkKey.fromSecret("alpha", p));
        WatermarkCode again = new WatermarkCode(WatermarkKey.fromSecret("alpha", p));
        WatermarkCode b = new WatermarkCode(WatermarkKey.fromSecret("beta", p));
        assertArrayEquals(a.sign, again.sign);
        assertArrayEquals(a.role, again.role);
        assertFalse(Arrays.equals(a.sign, b.sign));
        int[] perBit = new int[WatermarkCode.CODED_BITS];
        int sync = 0;
        for (short r : a.role) {
            if (r == WatermarkCode.SYNC) {
                sync++;
            } else {
                perBit[r]++;
            }
        }
        assertEquals(
                WatermarkCode.PERIOD - WatermarkCode.CODED_BITS * WatermarkCode.CHIPS_PER_BIT,
                sync);
        for (int count : perBit) {
            assertEquals(WatermarkCode.CHIPS_PER_BIT, count);
        }
    }

    @Test
    void carrierIsUnitPowerAndBandLimited() {
        float[] c =
                new WatermarkCode(WatermarkKey.defaultKey()).carrier(WatermarkKey.DEFAULT_PAYLOAD);
        double power = 0;
        for (float v : c) {
            power += v * v;
        }
        assertEquals(1.0, power / c.length, 1e-3);
        double[] re = new double[c.length];
        double[] im = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            re[i] = c[i];
        }
        new Fft(c.length).forward(re, im);
        double outside = 0;
        double total = 0;
        for (int f = 0; f <= c.length / 2; f++) {
            double hz = f * 24_000.0 / c.length;
            double e = re[f] * re[f] + im[f] * im[f];
            total += e;
            if (hz < WatermarkCode.BAND_LOW_HZ - WatermarkCode.EDGE_HZ
                    || hz > WatermarkCode.BAND_HIGH_HZ + WatermarkCode.EDGE_HZ) {
                outside += e;
            }
        }
        assertTrue(outside / total < 1e-12, "energy outside the band: " + outside / total);
    }

    @Test
    void gaussianTailMatchesKnownValues() {
        assertEquals(0.5, GaussianTail.q(0), 1e-7);
        assertEquals(0.158655, GaussianTail.q(1), 1e-6);
        assertEquals(2.866516e-7, GaussianTail.q(5), 1e-12);
        assertEquals(0.977250, GaussianTail.q(-2), 1e-6);
    }
}
