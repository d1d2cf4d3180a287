package dev.csmserver.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CSM's text tokenizer: the Llama-3 {@code tokenizer.json} run by DJL's Hugging Face binding, with
 * the reference template {@code BOS "[speaker]text" EOS} ({@code generator.py
 * _tokenize_text_segment}). BOS and EOS are read from the file's {@code TemplateProcessing}
 * post-processor (or, for a stock Llama-3 file that only adds BOS, EOS is the {@code
 * <|end_of_text|>} added token and is appended here). Nothing is ever truncated: a text longer than
 * {@code maxTokens} is a {@link TokenizerException}.
 */
public final class TextTokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final long bosId;
    private final long eosId;
    private final boolean appendEos;
    private final int maxTokens;

    private TextTokenizer(
            HuggingFaceTokenizer tokenizer,
            long bosId,
            long eosId,
            boolean appendEos,
            int maxTokens) {
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.eosId = eosId;
        this.appendEos = appendEos;
        this.maxTokens = maxTokens;
    }

    /** Opens a local {@code tokenizer.json}; texts are limited to the backbone's 2048 positions. */
    public static TextTokenizer open(Path tokenizerJson) {
        return open(tokenizerJson, 2048);
    }

    /**
     * Opens a local {@code tokenizer.json}; a text of more than {@code maxTokens} ids is refused.
     */
    public static TextTokenizer open(Path tokenizerJson, int maxTokens) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new TokenizerException("tokenizer file not found: " + tokenizerJson);
        }
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new TokenizerException(
                    tokenizerJson + ": not readable JSON: " + e.getMessage(), e);
        }
        SpecialIds ids = SpecialIds.read(tokenizerJson, root);
        try {
            HuggingFaceTokenizer hf =
                    HuggingFaceTokenizer.builder()
                            .optTokenizerPath(tokenizerJson)
                            .optAddSpecialTokens(true)
                            .optTruncation(false)
                            .optPadding(false)
                            // The binding's default cap (512) truncates silently; lift it above
                            // anything we accept.
                            .optMaxLength(Math.max(maxTokens, 1) * 16)
                            .build();
            return new TextTokenizer(hf, ids.bos(), ids.eos(), ids.appendEos(), maxTokens);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(
                    tokenizerJson + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    /** Ids of {@code "[speaker]text"} with BOS first and EOS last, exactly as the reference. */
    public long[] encodeSegment(int speaker, String text) {
        return encode("[" + speaker + "]" + text);
    }

    /**
     * Tokenizes {@code "[speaker]text"} once and keeps where each token lies in {@code text}: the
     * tokens of any slice can then be estimated without tokenizing it (HF offsets count code
     * points; they are turned into chars here).
     */
    public SegmentSpans segmentSpans(int speaker, String text) {
        String prefix = "[" + speaker + "]";
        String full = prefix + text;
        Encoding enc = tokenizer.encode(full, true, false);
        CharSpan[] spans = enc.getCharTokenSpans();
        int points = full.codePointCount(0, full.length());
        int[] charOf = new int[points + 1]; // code point index -> char index in full
        for (int cp = 0, c = 0; cp < points; cp++) {
            charOf[cp] = c;
            c += Character.charCount(full.codePointAt(c));
        }
        charOf[points] = full.length();
        int overhead = appendEos ? 1 : 0;
        int[] starts = new int[spans.length];
        int[] ends = new int[spans.length];
        int n = 0;
        for (CharSpan sp : spans) {
            int end = sp == null ? 0 : charOf[Math.min(sp.getEnd(), points)] - prefix.length();
            if (sp == null || end <= 0) {
                overhead++; // BOS, EOS and the speaker tag
                continue;
            }
            starts[n] = Math.max(0, charOf[Math.min(sp.getStart(), points)] - prefix.length());
            ends[n] = end;
            n++;
        }
        return new SegmentSpans(Arrays.copyOf(starts, n), Arrays.copyOf(ends, n), overhead);
    }

    /** Ids of {@code text} with the file's special tokens (BOS ... EOS). */
    public long[] encode(String text) {
        Encoding enc = tokenizer.encode(text, true, false);
        long[] ids = enc.getIds();
        if (appendEos) {
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = eosId;
        }
        if (ids.length == 0 || ids[0] != bosId || ids[ids.length - 1] != eosId) {
            throw new TokenizerException("tokenizer did not produce BOS ... EOS for the text");
        }
        if (ids.length > maxTokens) {
            throw new TokenizerException(
                    "text is "
                            + ids.length
                            + " tokens long; the model's context holds "
                            + maxTokens
                            + " (nothing is truncated: shorten the text)");
        }
        return ids;
    }

    public long bosId() {
        return bosId;
    }

    public long eosId() {
        return eosId;
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
