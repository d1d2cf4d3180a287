package dev.csmserver.contexts;

import java.time.Instant;

/**
 * One stored conversation turn, encoded once: the speaker, the transcript and the Mimi codes {@code
 * codes[k][t]} (codebook k, frame t). Context audio is never re-encoded per request.
 */
public record StoredContext(
        String id,
        int speaker,
        String text,
        int[][] codes,
        double durationSeconds,
        Instant createdAt) {

    public int numCodebooks() {
        return codes.length;
    }

    public int numFrames() {
        return codes.length == 0 ? 0 : codes[0].length;
    }
}
