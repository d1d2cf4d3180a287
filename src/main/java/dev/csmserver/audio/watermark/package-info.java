/**
 * Keyed audio watermark: embedded on the stream by {@link
 * dev.csmserver.audio.watermark.StreamingWatermarker}, found by {@link
 * dev.csmserver.audio.watermark.WatermarkDetector}. Imports: JDK and {@code dev.csmserver.audio}.
 *
 * <p><b>Algorithm.</b> Additive spread spectrum. A secret (SHA-256 in counter mode) draws one
 * period of 16 384 chips at 24 kHz (0.68 s): each chip gets a sign and a role, either
 * synchronisation (4 096 chips) or one of 48 coded bits (32 payload bits + CRC-16, 256 chips each,
 * interleaved over the period). The chip sequence, with payload chips flipped by their bits, is
 * band-limited to 0.6-7 kHz (zero-phase, circular, so it repeats seamlessly): above most voiced
 * energy, where speech is weak and the mark therefore strong relative to it, and below the 8 kHz
 * Nyquist of a 16 kHz resampling. The marker adds it scaled by a causal 20 ms envelope of the
 * signal's power, 32 dB below the signal: zero latency, chunking-invariant, silence untouched.
 *
 * <p><b>Detection.</b> The detector resamples to 24 kHz, whitens in a 512-point STFT (each cell
 * weighted by frame amplitude over local power, restricted to the band: a matched filter that turns
 * the loud host into small interference), folds the result onto one period and correlates it with
 * the sync chips at every lag. The normalised peak is a z-score whose null distribution is N(0, 1)
 * per lag (the chips are independent of unmarked audio), so the false-alarm probability is
 * analytic: the Gaussian tail times the number of lags, polarities and windows. At the peak each
 * bit is the sign of its chips' correlation; the payload is reported when the CRC-16 checks.
 * Folding uses every period in the clip, so any 2 s window (about three periods) suffices, and the
 * lag search absorbs crops and codec delays; gain changes cancel in the normalisation.
 *
 * <p><b>Key and payload.</b> {@link dev.csmserver.audio.watermark.WatermarkKey#defaultKey()} uses a
 * public secret ({@code WatermarkKey.DEFAULT_SECRET}) and payload key id 0xD4D3, service id 0x9238
 * (the first four bytes of the reference's public key); anyone can verify it, and anyone could
 * forge it. Configure a private secret for marks only you can verify.
 *
 * <p><b>Verify.</b> {@code new WatermarkDetector(key).detect(samples, sampleRateHz)} returns a
 * {@link dev.csmserver.audio.watermark.WatermarkDetection}: detected when the false-alarm
 * probability is at most 1e-5, the z-score, the payload and the span in seconds.
 */
package dev.csmserver.audio.watermark;
