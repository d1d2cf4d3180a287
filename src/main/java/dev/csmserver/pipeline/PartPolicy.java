package dev.csmserver.pipeline;

/**
 * How a long text is read in parts (settings {@code csm.long-text.*}): a part's prompt segment
 * holds at most {@code partMaxTokens} tokens; a part may run for {@code partBaseMs} plus {@code
 * msPerToken} per token of its segment before it is cut (CSM speaks about 250 ms a token, so the
 * default leaves twice that: a part ends at its end frame long before, and a model that never emits
 * one cannot run a part for the whole request's cap); each part hears at most {@code previousParts}
 * of the parts before it as context, fewer when the backbone's rows run short.
 */
public record PartPolicy(int partMaxTokens, int partBaseMs, int msPerToken, int previousParts) {
    /** Defaults, also the {@code @WithDefault}s of the settings (one source of truth). */
    public static final String DEFAULT_PART_MAX_TOKENS = "80";

    public static final String DEFAULT_PART_BASE_MS = "2000";
    public static final String DEFAULT_MS_PER_TOKEN = "500";
    public static final String DEFAULT_PREVIOUS_PARTS = "3";

    public static final PartPolicy DEFAULT =
            new PartPolicy(
                    Integer.parseInt(DEFAULT_PART_MAX_TOKENS),
                    Integer.parseInt(DEFAULT_PART_BASE_MS),
                    Integer.parseInt(DEFAULT_MS_PER_TOKEN),
                    Integer.parseInt(DEFAULT_PREVIOUS_PARTS));

    public PartPolicy {
        if (partMaxTokens < ReadingPlanner.MIN_PART_TOKENS) {
            throw new IllegalArgumentException(
                    "csm.long-text.part-max-tokens must be at least "
                            + ReadingPlanner.MIN_PART_TOKENS
                            + ", got "
                            + partMaxTokens);
        }
        if (partBaseMs < GenerationRequest.FRAME_MS || msPerToken < 0 || previousParts < 0) {
            throw new IllegalArgumentException(
                    "csm.long-text: part-base-ms must be at least "
                            + GenerationRequest.FRAME_MS
                            + ", ms-per-token and previous-parts at least 0");
        }
    }

    /** The most frames a part whose prompt segment has {@code tokens} tokens may run for. */
    public int capFrames(int tokens) {
        long ms = partBaseMs + (long) tokens * msPerToken;
        return (int) Math.min(Integer.MAX_VALUE, ms / GenerationRequest.FRAME_MS);
    }
}
