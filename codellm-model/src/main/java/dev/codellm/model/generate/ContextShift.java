package dev.codellm.model.generate;

import java.util.Arrays;

/**
 * What happens at the end of the context, llama-server's way ({@code --context-shift},
 * {@code --keep N}). Off (the default): a generation that fills the context finishes with
 * {@code length}, a prompt longer than the context is refused. On: the first {@code keep} tokens
 * (plus a leading BOS; -1 keeps the whole prompt) stay, the oldest half of the rest is dropped
 * and the KV cache moves down with RoPE re-applied ({@code LlamaModel.shift}), as often as needed
 * until the token limit; a prompt longer than the context is cut the same way before it runs
 * (whole blocks of half the room after the kept tokens, as llama-server cut prompts).
 */
public record ContextShift(boolean enabled, int keep) {
    public static final ContextShift OFF = new ContextShift(false, 0);

    /** Keeps this many tokens at most when shifting: llama-server's {@code n_ctx - 4}, so every shift frees room. */
    static final int MIN_ROOM = 4;

    public ContextShift {
        if (keep < -1) throw new IllegalArgumentException("--keep must be >= -1, got " + keep);
    }

    /** Context shift on, keeping {@code keep} tokens (-1: the whole prompt). */
    public static ContextShift keeping(int keep) {
        return new ContextShift(true, keep);
    }

    /** Tokens kept at the start of this prompt in a context of {@code ctx}: n_keep, plus the BOS it starts with. */
    int keepFor(int[] prompt, int bos, int ctx) {
        int k = keep < 0 ? prompt.length : Math.min(prompt.length, keep + (prompt.length > 0 && prompt[0] == bos ? 1 : 0));
        return Math.max(0, Math.min(k, ctx - MIN_ROOM));
    }

    /** Tokens dropped by one shift of a full cache of {@code position} tokens: half of those after the kept ones. */
    public static int discard(int position, int keep) {
        return Math.max(0, (position - keep) / 2);
    }

    /**
     * A prompt cut to fit a context of {@code ctx} with room to generate: the kept tokens, then
     * the prompt's end, dropping whole blocks of half the room left after the kept tokens
     * (llama-server's prompt truncation). Returned as it is when it already fits.
     */
    public static int[] truncate(int[] prompt, int keep, int ctx) {
        if (prompt.length < ctx) return prompt;
        int block = (ctx - keep) / 2;
        int erased = (prompt.length - keep - block) / block;
        int from = keep + erased * block;
        int[] out = Arrays.copyOf(prompt, keep + prompt.length - from);
        System.arraycopy(prompt, from, out, keep, prompt.length - from);
        return out;
    }
}
