package dev.codellm.model.perplexity;

import dev.codellm.core.CodellmException;

/** How a text is cut into windows and which tokens of each window are scored. */
public enum PerplexityMethod {
    /**
     * llama-perplexity's: non-overlapping windows of {@code ctx} tokens, the first token of each
     * replaced by BOS, only the second half scored (tokens ctx/2+1 .. ctx-1 of the window, each
     * predicted from at least ctx/2 tokens); a trailing part shorter than a window is dropped.
     */
    LLAMA_CPP("llama.cpp"),
    /**
     * Hugging Face's strided sliding window: windows of up to {@code ctx} tokens starting every
     * {@code stride} tokens; every token after the first is scored exactly once, in the first
     * window that contains it, with up to ctx-1 tokens of history.
     */
    SLIDING("sliding");

    private final String cliName;

    PerplexityMethod(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    public static PerplexityMethod parse(String s) {
        for (PerplexityMethod m : values()) if (m.cliName.equalsIgnoreCase(s)) return m;
        throw new CodellmException("unknown perplexity method '" + s + "' (use llama.cpp or sliding)");
    }
}
