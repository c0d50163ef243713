package dev.codellm.model.generate;

import dev.codellm.model.generate.PromptPart.FimToken;

/**
 * Code Llama's fill-in-the-middle prompt, exactly as the reference {@code infilling_prompt_tokens}
 * (github.com/meta-llama/codellama, llama/generation.py) builds it from token ids:
 * <ul>
 *   <li>PSM (prefix-suffix-middle): {@code [BOS, PRE] + encode(prefix) + [SUF] +
 *       encode_infilling(suffix) + [MID]}, i.e. {@code <s> <PRE> {prefix} <SUF>{suffix} <MID>};</li>
 *   <li>SPM (suffix first): {@code [BOS, PRE, SUF] + encode_infilling(suffix) + [MID] +
 *       encode(prefix)}, i.e. {@code <s> <PRE> <SUF>{suffix} <MID> {prefix}}.</li>
 * </ul>
 * {@code encode} adds SentencePiece's dummy-prefix space; {@code encode_infilling} does not
 * ({@link PromptPart.RawText}). Generation stops at {@code <EOT>} and the middle is decoded
 * without stripping its leading space ({@code decode_infilling}).
 *
 * <p>llama.cpp's {@code infill} differs slightly: it encodes the suffix with the dummy space and
 * removes only a stand-alone leading {@code ▁} token; we follow the Code Llama reference.
 */
public enum InfillFormat {
    PSM, SPM;

    public Prompt prompt(String prefix, String suffix) {
        Prompt.Builder b = Prompt.builder().bos().fim(FimToken.PRE);
        if (this == PSM) {
            return b.text(prefix).fim(FimToken.SUF).rawText(suffix).fim(FimToken.MID).build();
        }
        return b.fim(FimToken.SUF).rawText(suffix).fim(FimToken.MID).text(prefix).build();
    }

    /** PSM or SPM by name (case-insensitive), or an error naming the allowed values. */
    public static InfillFormat parse(String name) {
        for (InfillFormat f : values()) if (f.name().equalsIgnoreCase(name)) return f;
        throw new IllegalArgumentException("unknown infill format '" + name + "' (use psm or spm)");
    }
}
