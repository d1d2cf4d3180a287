package dev.csmserver.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * BOS and EOS ids as a {@code tokenizer.json} defines them: the special tokens around {@code $A} in
 * a {@code TemplateProcessing} post-processor (also inside a {@code Sequence} of processors). When
 * the template has no special token after {@code $A} (stock Llama-3), EOS is the {@code
 * <|end_of_text|>} added token and must be appended by the caller.
 */
record SpecialIds(long bos, long eos, boolean appendEos) {

    static SpecialIds read(Path file, JsonNode root) {
        JsonNode template = findTemplate(root.path("post_processor"));
        if (template == null) {
            throw new TokenizerException(
                    file + ": post_processor has no TemplateProcessing (BOS/EOS unknown)");
        }
        JsonNode single = template.path("single");
        String before = null;
        String after = null;
        boolean seenSequence = false;
        for (JsonNode piece : single) {
            if (piece.has("Sequence")) {
                seenSequence = true;
            } else if (piece.has("SpecialToken")) {
                String id = piece.get("SpecialToken").path("id").asText();
                if (!seenSequence && before == null) {
                    before = id;
                } else if (seenSequence && after == null) {
                    after = id;
                }
            }
        }
        if (before == null) {
            throw new TokenizerException(file + ": the post-processor template adds no BOS token");
        }
        long bos = templateId(file, template, before);
        if (after != null) {
            return new SpecialIds(bos, templateId(file, template, after), false);
        }
        return new SpecialIds(bos, addedTokenId(file, root, "<|end_of_text|>"), true);
    }

    private static JsonNode findTemplate(JsonNode processor) {
        if ("TemplateProcessing".equals(processor.path("type").asText())) {
            return processor;
        }
        for (JsonNode p : processor.path("processors")) {
            JsonNode t = findTemplate(p);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    private static long templateId(Path file, JsonNode template, String token) {
        JsonNode ids = template.path("special_tokens").path(token).path("ids");
        if (!ids.isArray() || ids.size() != 1) {
            throw new TokenizerException(
                    file + ": special token " + token + " has no single id in the template");
        }
        return ids.get(0).asLong();
    }

    private static long addedTokenId(Path file, JsonNode root, String content) {
        for (JsonNode t : root.path("added_tokens")) {
            if (content.equals(t.path("content").asText())) {
                return t.path("id").asLong();
            }
        }
        throw new TokenizerException(
                file + ": template adds no EOS and there is no " + content + " token");
    }
}
