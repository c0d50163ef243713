package dev.codellm.model.llama;

/**
 * RoPE context-extension settings from GGUF ({@code llama.rope.scaling.*}).
 *
 * @param type            none, linear or yarn
 * @param factor          context extension factor (positions are divided by it for linear)
 * @param originalContext the trained context length before extension (yarn), 0 when unknown
 */
public record RopeScaling(Type type, float factor, int originalContext) {
    public enum Type { NONE, LINEAR, YARN }

    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0);

    /** ggml's freq_scale: 1/factor. */
    public float freqScale() { return type == Type.NONE || factor == 0 ? 1f : 1f / factor; }
}
