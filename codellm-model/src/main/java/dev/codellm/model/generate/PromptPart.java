package dev.codellm.model.generate;

/**
 * One piece of a prompt before tokenization. Prompt formats are defined in these terms (not as
 * one string) because the reference implementations tokenize segment by segment: Code Llama's
 * chat encodes each turn separately with its own BOS/EOS, and its infill format places special
 * token ids between separately encoded texts.
 */
public sealed interface PromptPart {
    /** The beginning-of-sequence token. */
    record Bos() implements PromptPart {}

    /** The end-of-sequence token (closes a finished chat turn). */
    record Eos() implements PromptPart {}

    /** A fill-in-the-middle marker token. */
    record Fim(FimToken token) implements PromptPart {}

    /**
     * Text encoded on its own, the way the tokenizer encodes a fresh string (a SentencePiece
     * tokenizer adds its dummy-prefix space). With {@code parseSpecial}, special-token text such as
     * {@code <|im_start|>} becomes the special token.
     */
    record Text(String text, boolean parseSpecial) implements PromptPart {}

    /**
     * Text encoded WITHOUT the tokenizer's implicit leading space: Code Llama's
     * {@code encode_infilling} (the suffix in the infill format), and text that continues earlier
     * text (the middle of a FIM example, an assistant's answer after its prompt). With
     * {@code parseSpecial}, special-token text becomes the special token.
     */
    record RawText(String text, boolean parseSpecial) implements PromptPart {
        public RawText(String text) { this(text, false); }
    }

    /** The four Code Llama fill-in-the-middle tokens. */
    enum FimToken {
        PRE("<PRE>"), SUF("<SUF>"), MID("<MID>"), EOT("<EOT>");

        private final String display;

        FimToken(String display) { this.display = display; }

        public String display() { return display; }
    }
}
