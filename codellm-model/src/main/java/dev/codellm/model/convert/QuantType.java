package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The file types {@code convert --type} and {@code quantize} produce, with llama.cpp's names and
 * {@code general.file_type} ids (llama_ftype) and the ggml type most weights get; the K-quant
 * "_S"/"_M" mixes give some tensors more bits ({@link QuantMix}).
 */
public enum QuantType {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    BF16(32, GgmlType.BF16),
    Q8_0(7, GgmlType.Q8_0),
    Q4_0(2, GgmlType.Q4_0),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K);

    private final int fileType;
    private final GgmlType base;

    QuantType(int fileType, GgmlType base) {
        this.fileType = fileType;
        this.base = base;
    }

    /** llama.cpp's {@code general.file_type} value (llama_ftype) for this type. */
    public int fileType() { return fileType; }

    /** The ggml type of the bulk of the weights. */
    public GgmlType base() { return base; }

    /** True for the block-quantized types (the per-tensor mix rules apply). */
    public boolean quantized() { return base.isQuantized(); }

    /** Parses a name as users type it (q4_k_m, Q4_K_M, q8_0, f16; Q4_K and Q5_K mean their _M mix, as in llama-quantize). */
    public static QuantType parse(String s) {
        String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (n.equals("Q4_K")) n = "Q4_K_M";
        if (n.equals("Q5_K")) n = "Q5_K_M";
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new CodellmException("unknown type '" + s + "' (supported: " + names() + ")");
        }
    }

    public static String names() {
        return Arrays.stream(values()).map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() { return name().toLowerCase(Locale.ROOT); }
}
