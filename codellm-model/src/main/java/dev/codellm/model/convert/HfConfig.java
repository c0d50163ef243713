package dev.codellm.model.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.RopeScaling;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face {@code config.json} of a Llama-architecture model ({@code LlamaForCausalLM}: Code
 * Llama, Magicoder-CL, Phind, DeepSeek-Coder, ...) read into a {@link LlamaConfig}, with what the
 * GGUF needs besides: tied embeddings, special-token ids, the name. Missing required fields or
 * another architecture are one error naming the file.
 *
 * @param config       the hyper-parameters (rope scaling linear or yarn; tied output as config.json says,
 *                     {@link #withTied} once the weights show whether an lm_head is there)
 * @param tied         {@code tie_word_embeddings}: no separate lm_head
 * @param headDimKey   {@code head_dim} when the file gives it (llama.cpp then writes key/value lengths)
 * @param json         the whole file, for the special-token ids ({@code bos_token_id}, ...)
 */
public record HfConfig(LlamaConfig config, boolean tied, Integer headDimKey, JsonNode json) {

    public static HfConfig read(Path dir) {
        Path file = dir.resolve("config.json");
        if (!Files.isRegularFile(file)) throw new CodellmException(dir + ": no config.json (not a Hugging Face model directory)");
        return parse(Json.read(file), file);
    }

    /** Parses a config.json's content ({@code file} names it in errors). */
    static HfConfig parse(JsonNode c, Path file) {
        String arch = c.path("architectures").path(0).asText("");
        String modelType = c.path("model_type").asText("");
        if (!arch.equals("LlamaForCausalLM") && !modelType.equals("llama"))
            throw new CodellmException(file + ": architecture '" + (arch.isEmpty() ? modelType : arch)
                    + "' is not supported (only LlamaForCausalLM: Code Llama, Llama 2, DeepSeek-Coder, Magicoder, Phind and their fine-tunes)");
        int dim = required(c, file, "hidden_size");
        int heads = required(c, file, "num_attention_heads");
        int kvHeads = c.path("num_key_value_heads").asInt(heads);
        Integer headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : null;
        if (headDim != null && headDim * heads != dim)
            throw new CodellmException(file + ": head_dim " + headDim + " x " + heads + " heads is not hidden_size " + dim + " (not supported)");
        int ropeDim = headDim != null ? headDim : dim / heads;
        RopeScaling scaling = RopeScaling.NONE;
        JsonNode rs = c.path("rope_scaling");
        if (rs.isObject()) {
            String type = rs.path("rope_type").asText(rs.path("type").asText("")).toLowerCase(java.util.Locale.ROOT);
            float factor = (float) rs.path("factor").asDouble(1);
            int orig = rs.path("original_max_position_embeddings").asInt(0);
            scaling = switch (type) {
                case "linear" -> new RopeScaling(RopeScaling.Type.LINEAR, factor, orig);
                case "yarn" -> {
                    requireYarnDefaults(rs, factor, file);
                    yield new RopeScaling(RopeScaling.Type.YARN, factor, orig);
                }
                // llama3: per-pair frequency divisors, written as the rope_freqs tensor (ropeFreqFactors), no scaling keys
                case "default", "", "llama3" -> RopeScaling.NONE;
                case "dynamic" -> throw new CodellmException(file + ": rope_scaling 'dynamic' (dynamic NTK) is not supported: its"
                        + " frequencies change with the sequence length, which neither this engine nor llama.cpp runs (llama.cpp's"
                        + " converter drops it silently); remove rope_scaling to run the model unscaled within max_position_embeddings");
                default -> throw new CodellmException(file + ": rope_scaling type '" + type
                        + "' is not supported (linear, yarn and llama3 are)");
            };
        }
        LlamaConfig cfg = new LlamaConfig(dim, required(c, file, "num_hidden_layers"), heads, kvHeads,
                required(c, file, "intermediate_size"), required(c, file, "vocab_size"),
                c.path("max_position_embeddings").asInt(2048), (float) c.path("rms_norm_eps").asDouble(1e-6),
                (float) c.path("rope_theta").asDouble(10000), ropeDim, scaling, c.path("tie_word_embeddings").asBoolean(false));
        return new HfConfig(cfg, c.path("tie_word_embeddings").asBoolean(false), headDim, c);
    }

    /**
     * llama3 rope scaling's per-pair divisors of the rotation frequencies, as llama.cpp's converter
     * computes them for its {@code rope_freqs} tensor (pairs turning faster than the original
     * context's {@code high_freq_factor}-th part keep their frequency, slower than its
     * {@code low_freq_factor}-th part are slowed by {@code factor}, a smooth blend between);
     * transformers' {@code _compute_llama3_parameters} divides its inv_freq by exactly these.
     * Null for other scalings.
     */
    public float[] ropeFreqFactors() {
        JsonNode rs = json == null ? null : json.path("rope_scaling");
        if (rs == null || !rs.isObject() || !rs.path("rope_type").asText(rs.path("type").asText("")).equalsIgnoreCase("llama3")) return null;
        double factor = rs.path("factor").asDouble(8), low = rs.path("low_freq_factor").asDouble(1), high = rs.path("high_freq_factor").asDouble(4);
        double old = rs.path("original_max_position_embeddings").asDouble(8192);
        double lowWavelen = old / low, highWavelen = old / high;
        int d = config.ropeDim();
        float[] f = new float[d / 2];
        for (int i = 0; i < d / 2; i++) {
            // float32 like the converter's torch.arange(..., dtype=float32) frequencies
            float freq = (float) (1.0 / Math.pow(config.ropeTheta(), (float) (2 * i) / d));
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) f[i] = 1;
            else if (wavelen > lowWavelen) f[i] = (float) factor;
            else {
                double smooth = (old / wavelen - low) / (high - low);
                f[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return f;
    }

    /** The same config with the classifier tied or not (the checkpoint has no lm_head / has one). */
    public HfConfig withTied(boolean t) {
        LlamaConfig c = config;
        return new HfConfig(new LlamaConfig(c.dim(), c.layers(), c.heads(), c.kvHeads(), c.ffnDim(), c.vocabSize(), c.contextLength(),
                c.rmsEps(), c.ropeTheta(), c.ropeDim(), c.ropeScaling(), t), t, headDimKey, json);
    }

    /**
     * The yarn keys a GGUF cannot carry must hold transformers' defaults (what llama.cpp c392e50's
     * loader and this engine run from {@code rope.scaling.type/factor/original_context_length}):
     * {@code beta_fast} 32, {@code beta_slow} 1, {@code mscale} 1, no {@code mscale_all_dim}, and
     * {@code attention_factor} 0.1 ln(factor) + 1 (transformers' own value when it is absent).
     * Anything else would be dropped silently and the file would rotate or scale differently, so it
     * is one error naming the key. Absent or null keys are the defaults.
     */
    private static void requireYarnDefaults(JsonNode rs, float factor, Path file) {
        double attention = factor <= 1 ? 1 : 0.1 * Math.log(factor) + 1;
        Object[][] defaults = {{"beta_fast", 32.0}, {"beta_slow", 1.0}, {"mscale", 1.0}, {"mscale_all_dim", 0.0}, {"attention_factor", attention}};
        for (Object[] d : defaults) {
            JsonNode v = rs.get((String) d[0]);
            if (v == null || v.isNull()) continue;
            double want = (Double) d[1];
            if (v.isNumber() && Math.abs(v.asDouble() - want) <= 1e-6 * Math.max(1, Math.abs(want))) continue;
            throw new CodellmException(file + ": rope_scaling yarn '" + d[0] + "' " + v + " is not supported: GGUF keeps only yarn's"
                    + " factor and original context, and llama.cpp and this engine run transformers' defaults (beta_fast 32, beta_slow 1,"
                    + " mscale 1, no mscale_all_dim, attention_factor 0.1 ln(factor) + 1 = " + (float) attention + ")");
        }
    }

    private static int required(JsonNode c, Path file, String key) {
        JsonNode v = c.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0)
            throw new CodellmException(file + ": missing or invalid '" + key + "'");
        return v.asInt();
    }
}
