package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The one schema of a {@code llama}-architecture GGUF as llama.cpp writes and reads it: metadata
 * key names, tensor names and shapes, reading the keys into a {@link LlamaConfig} and writing a
 * config back. The engine's loader, the trainer's checkpoints, the synthetic-model writer and the
 * HF converter all go through here, so a key one of them learns (a rope setting, say) reaches all
 * of them and a written file always reads back as the config it was written from.
 *
 * <p>Shapes are GGUF's: {@code [columns, rows]}, the row (input) dimension first.
 */
public final class LlamaGguf {
    private LlamaGguf() {}

    public static final String ARCHITECTURE_NAME = "llama";

    public static final String ARCHITECTURE = "general.architecture";
    public static final String NAME = "general.name";
    public static final String FILE_TYPE = "general.file_type";
    /** The block layout version of quantized types (ggml's GGML_QNT_VERSION); llama.cpp's tools write it. */
    public static final String QUANTIZATION_VERSION = "general.quantization_version";

    private static final String P = ARCHITECTURE_NAME + ".";
    public static final String VOCAB_SIZE = P + "vocab_size";
    public static final String CONTEXT_LENGTH = P + "context_length";
    public static final String EMBEDDING_LENGTH = P + "embedding_length";
    public static final String BLOCK_COUNT = P + "block_count";
    public static final String FEED_FORWARD_LENGTH = P + "feed_forward_length";
    public static final String HEAD_COUNT = P + "attention.head_count";
    public static final String HEAD_COUNT_KV = P + "attention.head_count_kv";
    public static final String RMS_EPSILON = P + "attention.layer_norm_rms_epsilon";
    public static final String ROPE_DIMENSION_COUNT = P + "rope.dimension_count";
    public static final String ROPE_FREQ_BASE = P + "rope.freq_base";
    public static final String ROPE_SCALING_TYPE = P + "rope.scaling.type";
    public static final String ROPE_SCALING_FACTOR = P + "rope.scaling.factor";
    public static final String ROPE_SCALING_ORIGINAL_CONTEXT = P + "rope.scaling.original_context_length";
    /** Written by older converters instead of the scaling type and factor; read, never written. */
    public static final String ROPE_SCALE_LINEAR = P + "rope.scale_linear";

    /** Defaults llama.cpp assumes for keys a file leaves out. */
    static final int DEFAULT_CONTEXT = 2048;
    static final float DEFAULT_RMS_EPSILON = 1e-5f;
    static final float DEFAULT_ROPE_FREQ_BASE = 10000f;

    public static final String TOKEN_EMBD = "token_embd.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";
    /** llama3 rope scaling's per-pair frequency divisors (F32, ropeDim/2), as llama.cpp names them; optional. */
    public static final String ROPE_FREQS = "rope_freqs.weight";
    /** The classifier; absent when it is tied to the token embedding. */
    public static final String OUTPUT = "output.weight";

    /** The tensors of one transformer block, {@code blk.N.<role>.weight}. */
    public enum BlockTensor {
        ATTN_NORM("attn_norm"), ATTN_Q("attn_q"), ATTN_K("attn_k"), ATTN_V("attn_v"), ATTN_OUTPUT("attn_output"),
        FFN_NORM("ffn_norm"), FFN_GATE("ffn_gate"), FFN_UP("ffn_up"), FFN_DOWN("ffn_down");

        /** The role as it appears in the tensor name (and in LoRA target lists). */
        public final String role;

        BlockTensor(String role) { this.role = role; }

        public String name(int layer) { return "blk." + layer + "." + role + ".weight"; }

        /** A norm is a vector of {@code dim} gains; every other block tensor a matrix. */
        public boolean isVector() { return this == ATTN_NORM || this == FFN_NORM; }

        /** GGUF shape {@code [in, out]} (a norm: {@code [dim]}). */
        public long[] shape(LlamaConfig c) {
            int d = c.dim(), kv = c.kvDim(), f = c.ffnDim();
            return switch (this) {
                case ATTN_NORM, FFN_NORM -> new long[] {d};
                case ATTN_Q, ATTN_OUTPUT -> new long[] {d, d};
                case ATTN_K, ATTN_V -> new long[] {d, kv};
                case FFN_GATE, FFN_UP -> new long[] {d, f};
                case FFN_DOWN -> new long[] {f, d};
            };
        }
    }

    /** One tensor a model of a given config has. */
    public record TensorSpec(String name, long[] shape) {
        public boolean isVector() { return shape.length == 1; }
    }

    /** Every tensor of a model of this config: embedding, blocks in order, final norm, classifier unless tied. */
    public static List<TensorSpec> tensors(LlamaConfig c) {
        List<TensorSpec> out = new ArrayList<>();
        out.add(new TensorSpec(TOKEN_EMBD, new long[] {c.dim(), c.vocabSize()}));
        for (int l = 0; l < c.layers(); l++)
            for (BlockTensor t : BlockTensor.values()) out.add(new TensorSpec(t.name(l), t.shape(c)));
        out.add(new TensorSpec(OUTPUT_NORM, new long[] {c.dim()}));
        if (!c.tiedOutput()) out.add(new TensorSpec(OUTPUT, new long[] {c.dim(), c.vocabSize()}));
        return out;
    }

    /** Reads the {@code llama.*} keys; a clear error names a missing key or another architecture. */
    public static LlamaConfig read(GgufFile f) {
        String arch = f.optString(ARCHITECTURE, null);
        if (arch == null) throw new CodellmException("GGUF has no " + ARCHITECTURE + " key: not a model file (vocab-only?)");
        if (!arch.equals(ARCHITECTURE_NAME))
            throw new CodellmException("unsupported architecture '" + arch + "' (only '" + ARCHITECTURE_NAME + "' is supported)");
        if (f.tensors().isEmpty()) throw new CodellmException("GGUF has no tensors: a vocab-only file cannot be run");
        int dim = f.getInt(EMBEDDING_LENGTH);
        int heads = f.getInt(HEAD_COUNT);
        int vocab = f.has(VOCAB_SIZE) ? f.getInt(VOCAB_SIZE) : (int) f.tensor(TOKEN_EMBD).dim(1);
        return new LlamaConfig(dim, f.getInt(BLOCK_COUNT), heads, f.optInt(HEAD_COUNT_KV, heads), f.getInt(FEED_FORWARD_LENGTH), vocab,
                f.optInt(CONTEXT_LENGTH, DEFAULT_CONTEXT), f.optFloat(RMS_EPSILON, DEFAULT_RMS_EPSILON),
                f.optFloat(ROPE_FREQ_BASE, DEFAULT_ROPE_FREQ_BASE), f.optInt(ROPE_DIMENSION_COUNT, dim / Math.max(1, heads)),
                readScaling(f), f.findTensor(OUTPUT).isEmpty());
    }

    private static RopeScaling readScaling(GgufFile f) {
        String type = f.optString(ROPE_SCALING_TYPE, "none");
        float factor = f.optFloat(ROPE_SCALING_FACTOR, 1f);
        int orig = f.optInt(ROPE_SCALING_ORIGINAL_CONTEXT, 0);
        if (f.has(ROPE_SCALE_LINEAR)) {
            type = "linear";
            factor = f.getFloat(ROPE_SCALE_LINEAR);
        }
        RopeScaling s = switch (type) {
            case "none" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling(RopeScaling.Type.LINEAR, factor, orig);
            case "yarn" -> new RopeScaling(RopeScaling.Type.YARN, factor, orig);
            default -> throw new CodellmException("unsupported rope scaling type '" + type + "'");
        };
        return s.type() != RopeScaling.Type.NONE && factor == 1f ? RopeScaling.NONE : s;
    }

    /**
     * Writes the architecture, name, file type and every {@code llama.*} key of {@code c}, so that
     * {@link #read} of the written file gives {@code c} back (tied output follows from which
     * tensors the caller adds: {@link #tensors}).
     */
    public static GgufWriter writeConfig(GgufWriter w, LlamaConfig c, String name, int fileType) {
        w.putString(ARCHITECTURE, ARCHITECTURE_NAME).putString(NAME, name).putUInt32(FILE_TYPE, fileType)
                .putUInt32(VOCAB_SIZE, c.vocabSize())
                .putUInt32(CONTEXT_LENGTH, c.contextLength())
                .putUInt32(EMBEDDING_LENGTH, c.dim())
                .putUInt32(BLOCK_COUNT, c.layers())
                .putUInt32(FEED_FORWARD_LENGTH, c.ffnDim())
                .putUInt32(HEAD_COUNT, c.heads())
                .putUInt32(HEAD_COUNT_KV, c.kvHeads())
                .putUInt32(ROPE_DIMENSION_COUNT, c.ropeDim())
                .putFloat32(ROPE_FREQ_BASE, c.ropeTheta())
                .putFloat32(RMS_EPSILON, c.rmsEps());
        RopeScaling s = c.ropeScaling();
        if (s.type() != RopeScaling.Type.NONE) {
            w.putString(ROPE_SCALING_TYPE, s.type().name().toLowerCase(java.util.Locale.ROOT))
                    .putFloat32(ROPE_SCALING_FACTOR, s.factor());
            if (s.originalContext() > 0) w.putUInt32(ROPE_SCALING_ORIGINAL_CONTEXT, s.originalContext());
        }
        return w;
    }

    /** llama.cpp's {@code general.file_type} ({@code llama_ftype}) of a file whose matrices are all {@code t} ("mostly X"). */
    public static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15;
            case Q5_K -> 17;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new CodellmException("no file type for " + t);
        };
    }
}
