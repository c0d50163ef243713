package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import java.util.List;

/**
 * Which ggml type each tensor gets for a {@link QuantType}: llama.cpp's rules (llama-quant.cpp,
 * {@code llama_tensor_get_type}, for the llama architecture without experts and without an
 * importance matrix) restated, so our files carry the same per-tensor types as llama-quantize's:
 * <ul>
 *   <li>only 2-D tensors named {@code *weight} are quantized; norms and other vectors keep their type;</li>
 *   <li>{@code output.weight} (or a tied {@code token_embd.weight}) gets Q6_K unless the type is Q8_0,
 *       or Q8_0 when its rows do not split into the type's blocks;</li>
 *   <li>Q4_K_M / Q5_K_M: {@code attn_v} and {@code ffn_down} get Q6_K in the first and last eighth of the
 *       layers and every third layer between ({@code use_more_bits}); Q4_K_S: Q5_K for the first four
 *       {@code attn_v} and the first eighth of {@code ffn_down} (counted in llama-quantize's
 *       tensor order: by layer number, then name); a 70B-shaped model (80 layers, GQA)
 *       gets Q5_K for a Q4_K {@code attn_v};</li>
 *   <li>rows that do not split into 256-element super-blocks fall back: Q4_K→Q5_0, Q5_K→Q5_1,
 *       Q6_K→Q8_0, then F16 when even 32 does not divide them.</li>
 * </ul>
 */
public final class QuantMix {
    /** A tensor's planned type; {@code note} says why it differs from the plain rule (a fallback), or is null. */
    public record Choice(GgmlType type, String note) {}

    private QuantMix() {}

    /**
     * The type of every tensor (same order as {@code names}/{@code shapes}/{@code current}) for
     * {@code type}; {@code layers}, {@code heads}, {@code kvHeads} are the model's.
     */
    public static List<Choice> plan(List<String> names, List<long[]> shapes, List<GgmlType> current, QuantType type,
                                    int layers, int heads, int kvHeads) {
        boolean hasOutput = names.contains("output.weight");
        int nAttnV = (int) names.stream().filter(n -> n.contains("attn_v.weight")).count();
        boolean is70B = layers == 80 && heads != kvHeads;
        int iAttnV = 0, iFfnDown = 0;
        // llama-quantize visits tensors in its loader's map order (layer number, then name; non-layer
        // tensors first), and the attn_v / ffn_down counters behind use_more_bits count in that order
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingInt(i -> layerOf(names.get(i))).thenComparing(names::get));
        Choice[] out = new Choice[names.size()];
        for (int t : order) {
            String name = names.get(t);
            long[] shape = shapes.get(t);
            boolean quantize = name.endsWith("weight") && shape.length >= 2 && !name.contains("_norm.weight");
            if (!quantize) {
                out[t] = new Choice(current.get(t), null);
                continue;
            }
            if (!type.quantized()) {
                out[t] = new Choice(type.base(), null);
                continue;
            }
            GgmlType nt = type.base();
            long nx = shape[0];
            if (name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"))) {
                if (nx % nt.blockSize() != 0) nt = GgmlType.Q8_0;
                else if (nt != GgmlType.Q8_0) nt = GgmlType.Q6_K;
            } else if (name.equals("token_embd.weight")) {
                // the bulk type
            } else if (name.contains("attn_v.weight")) {
                if ((type == QuantType.Q4_K_M || type == QuantType.Q5_K_M) && useMoreBits(iAttnV, nAttnV)) nt = GgmlType.Q6_K;
                else if (type == QuantType.Q4_K_S && iAttnV < 4) nt = GgmlType.Q5_K;
                if (is70B && nt == GgmlType.Q4_K) nt = GgmlType.Q5_K;
                iAttnV++;
            } else if (name.contains("ffn_down")) {
                int i = iFfnDown, n = layers;
                if (type == QuantType.Q4_K_M) {
                    if (useMoreBits(i, n)) nt = GgmlType.Q6_K;
                } else if (type == QuantType.Q5_K_M && useMoreBits(i, n)) {
                    nt = GgmlType.Q6_K;
                } else if (type == QuantType.Q4_K_S && i < n / 8) {
                    nt = GgmlType.Q5_K;
                }
                iFfnDown++;
            }
            String note = null;
            if (nx % nt.blockSize() != 0) {
                GgmlType fb = switch (nt) {
                    case Q4_K -> GgmlType.Q5_0;
                    case Q5_K -> GgmlType.Q5_1;
                    case Q6_K -> GgmlType.Q8_0;
                    default -> throw new CodellmException("tensor " + name + ": rows of " + nx + " do not split into " + nt
                            + " blocks of " + nt.blockSize());
                };
                if (nx % fb.blockSize() != 0) fb = GgmlType.F16;
                note = "rows of " + nx + " are not a multiple of " + nt.blockSize() + ": " + fb + " instead of " + nt;
                nt = fb;
            }
            out[t] = new Choice(nt, note);
        }
        return List.of(out);
    }

    /** The N of a {@code blk.N.} name, -1 for the others (llama_model_loader's weight_name_comparer). */
    static int layerOf(String name) {
        if (!name.startsWith("blk.")) return -1;
        int end = name.indexOf('.', 4);
        try {
            return Integer.parseInt(name.substring(4, end < 0 ? name.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third one between. */
    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }
}
