package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import java.util.Locale;

/**
 * RoPE settings given on the command line, as llama.cpp names them, over the GGUF's: a null field
 * keeps the file's value. {@code --rope-freq-base} replaces θ, {@code --rope-scaling} the type,
 * {@code --rope-scale N} the factor (positions run N times slower: ggml's freq_scale = 1/N; on a
 * model without scaling it means linear, as llama.cpp's freq_scale does there), and
 * {@code --yarn-orig-ctx} YaRN's original context (0 = the model's trained length).
 */
public record RopeOverrides(Float freqBase, RopeScaling.Type scaling, Float scale, Integer yarnOrigCtx) {
    public static final RopeOverrides NONE = new RopeOverrides(null, null, null, null);

    public RopeOverrides {
        if (freqBase != null && !(freqBase > 0)) throw new CodellmException("--rope-freq-base must be positive, got " + freqBase);
        if (scale != null && !(scale > 0)) throw new CodellmException("--rope-scale must be positive, got " + scale);
        if (yarnOrigCtx != null && yarnOrigCtx < 0) throw new CodellmException("--yarn-orig-ctx must not be negative, got " + yarnOrigCtx);
    }

    public boolean isNone() { return equals(NONE); }

    /** {@code none}, {@code linear} or {@code yarn}, as llama.cpp's {@code --rope-scaling}; null stays null. */
    public static RopeScaling.Type parseScaling(String s) {
        if (s == null) return null;
        try {
            return RopeScaling.Type.valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CodellmException("unknown --rope-scaling '" + s + "' (use none, linear or yarn)");
        }
    }

    /** The config the forward pass runs with: the file's, with these fields replaced. */
    public LlamaConfig apply(LlamaConfig c) {
        if (isNone()) return c;
        RopeScaling s = c.ropeScaling();
        RopeScaling.Type type = scaling != null ? scaling : s.type() == RopeScaling.Type.NONE && scale != null ? RopeScaling.Type.LINEAR : s.type();
        float factor = scale != null ? scale : s.factor();
        int orig = yarnOrigCtx != null ? yarnOrigCtx : s.originalContext();
        RopeScaling out = type == RopeScaling.Type.NONE || factor == 1f ? RopeScaling.NONE : new RopeScaling(type, factor, orig);
        return c.withRope(freqBase != null ? freqBase : c.ropeTheta(), out);
    }

    /** The effective RoPE settings in one phrase, e.g. {@code freq_base 1000000, scaling yarn x4 from 4096}. */
    public static String describe(LlamaConfig c) {
        RopeScaling s = c.ropeScaling();
        String base = "freq_base " + (c.ropeTheta() == Math.rint(c.ropeTheta()) ? Long.toString((long) c.ropeTheta()) : Float.toString(c.ropeTheta()));
        if (s.type() == RopeScaling.Type.NONE) return base + ", scaling none";
        return base + ", scaling " + s.type().name().toLowerCase(Locale.ROOT) + " x" + s.factor()
                + (s.type() == RopeScaling.Type.YARN ? " from " + (s.originalContext() > 0 ? s.originalContext() : c.contextLength()) : "");
    }
}
