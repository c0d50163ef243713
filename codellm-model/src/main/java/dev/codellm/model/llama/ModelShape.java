package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;

/**
 * Real model shapes for synthetic (random-weight) files, so speed can be measured at true size.
 * Code Llama 7B/13B have 32016 tokens (Llama 2's 32000 + 16 infill tokens); 34B has 32000 and GQA.
 */
public enum ModelShape {
    CODELLAMA_7B("codellama-7b", 4096, 32, 32, 32, 11008, 32016),
    CODELLAMA_13B("codellama-13b", 5120, 40, 40, 40, 13824, 32016),
    CODELLAMA_34B("codellama-34b", 8192, 48, 64, 8, 22016, 32000),
    TINY("tiny", 256, 2, 4, 2, 512, 32016);

    public final String id;
    public final int dim, layers, heads, kvHeads, ffn, vocab;

    ModelShape(String id, int dim, int layers, int heads, int kvHeads, int ffn, int vocab) {
        this.id = id;
        this.dim = dim;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.ffn = ffn;
        this.vocab = vocab;
    }

    public static ModelShape parse(String s) {
        for (ModelShape m : values()) if (m.id.equalsIgnoreCase(s)) return m;
        StringBuilder names = new StringBuilder();
        for (ModelShape m : values()) names.append(names.isEmpty() ? "" : ", ").append(m.id);
        throw new CodellmException("unknown model shape '" + s + "' (choose from " + names + ")");
    }
}
