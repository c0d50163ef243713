package dev.codellm.train;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.generate.ChatTemplates;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.model.tokenizer.Vocabulary;
import dev.codellm.train.model.Linear;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.train.model.ModelConfig;
import dev.codellm.train.model.Param;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Models as llama.cpp-convention GGUFs ({@code general.architecture=llama}): tensor names
 * token_embd / blk.N.attn_q ... / output_norm / output, F32, and the vocabulary: a learned
 * byte-level BPE one ({@code tokenizer.ggml.model=gpt2}, pre-tokenizer gpt-2) with Code Llama's FIM
 * token ids, or a base model's (byte-level BPE or SentencePiece) as it came.
 *
 * <p>RoPE: the trainer rotates adjacent pairs, which is what llama.cpp applies to {@code llama}
 * GGUFs (HF checkpoints are permuted into this order by convert_hf_to_gguf), so weights are
 * written as trained, unpermuted.
 */
public final class ModelGguf {
    private ModelGguf() {}

    /** The chat template of a model trained without one given: the model module's default (Code Llama Instruct's). */
    public static String defaultChatTemplate() {
        return ChatTemplates.byName(ChatTemplates.DEFAULT).source();
    }

    /** Writes the model with the default chat template. */
    public static void write(TrainableLlama m, Tokenizer tok, String name, java.nio.file.Path path) throws IOException {
        write(m, tok, name, path, defaultChatTemplate());
    }

    /**
     * Writes the model; {@code chatTemplate} (Jinja) goes to {@code tokenizer.chat_template}: the
     * template its instruction data was rendered with, so the engine renders chats as it learned them.
     */
    public static void write(TrainableLlama m, Tokenizer tok, String name, java.nio.file.Path path, String chatTemplate) throws IOException {
        GgufWriter g = header(m.config, name);
        putTokenizer(g, tok, chatTemplate);
        for (Param p : m.params.all()) {
            if (p.name.endsWith(".lora_a") || p.name.endsWith(".lora_b")) continue;
            g.addTensor(p.name, GgmlType.F32, dims(p), p.data);
        }
        g.write(path);
    }

    /** A llama.cpp LoRA adapter GGUF (general.type=adapter, adapter.lora.alpha, *.lora_a/b). */
    public static void writeAdapter(TrainableLlama m, String name, java.nio.file.Path path) throws IOException {
        GgufWriter g = new GgufWriter();
        g.putString("general.architecture", "llama").putString("general.type", "adapter")
                .putString("general.name", name).putString("adapter.type", "lora");
        boolean any = false;
        for (Linear lin : m.linears()) {
            if (lin.rank() == 0) continue;
            if (!any) g.putFloat32("adapter.lora.alpha", lin.loraScale * lin.rank());
            any = true;
            g.addTensor(lin.loraA.name, GgmlType.F32, dims(lin.loraA), lin.loraA.data);
            g.addTensor(lin.loraB.name, GgmlType.F32, dims(lin.loraB), lin.loraB.data);
        }
        if (!any) throw new IllegalStateException("model has no LoRA adapters");
        g.write(path);
    }

    static GgufWriter header(ModelConfig c, String name) {
        GgufWriter g = new GgufWriter();
        g.putString("general.architecture", "llama").putString("general.name", name)
                .putUInt32("general.file_type", 0)
                .putUInt32("llama.vocab_size", c.vocabSize())
                .putUInt32("llama.context_length", c.contextLength())
                .putUInt32("llama.embedding_length", c.dim())
                .putUInt32("llama.block_count", c.layers())
                .putUInt32("llama.feed_forward_length", c.ffnDim())
                .putUInt32("llama.attention.head_count", c.heads())
                .putUInt32("llama.attention.head_count_kv", c.kvHeads())
                .putUInt32("llama.rope.dimension_count", c.headDim())
                .putFloat32("llama.rope.freq_base", c.ropeTheta())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", c.normEps());
        return g;
    }

    /** Roles written as {@code tokenizer.ggml.<key>} ids when the vocabulary has them, with their metadata keys. */
    private static final List<String> WRITTEN_ROLES = List.of("bos", "eos", "eot", "eom", "unk", "sep", "pad",
            "fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep");

    /** Older llama.cpp reads Code Llama's FIM ids under these keys, newer ones under fim_*: both are written. */
    private static final java.util.Map<String, String> LEGACY_FIM_KEYS = java.util.Map.of(
            "fim_pre", "tokenizer.ggml.prefix_token_id", "fim_suf", "tokenizer.ggml.suffix_token_id",
            "fim_mid", "tokenizer.ggml.middle_token_id");

    /**
     * The vocabulary as {@code tokenizer.ggml.*}: byte-level BPE (learned here or a base's) or a
     * base's SentencePiece one (with its scores); special ids as the tokenizer settled them, so a
     * reloaded file resolves every role alike; the chat template (Jinja text).
     */
    static void putTokenizer(GgufWriter g, Tokenizer tok, String chatTemplate) {
        Vocabulary v = tok.vocabulary();
        int[] types = new int[v.size()]; // as the file had them: the tokenizer settles them again on loading
        for (int i = 0; i < types.length; i++) types[i] = v.type(i).code;
        g.putString("tokenizer.ggml.model", v.model());
        if (v.preTokenizer() != null) g.putString("tokenizer.ggml.pre", v.preTokenizer());
        g.putStrings("tokenizer.ggml.tokens", v.tokens()).putInt32s("tokenizer.ggml.token_type", types);
        if (v.scores() != null) g.putFloats("tokenizer.ggml.scores", Arrays.copyOf(v.scores(), v.size()));
        if (!v.merges().isEmpty()) g.putStrings("tokenizer.ggml.merges", v.merges());
        for (String role : WRITTEN_ROLES) {
            java.util.OptionalInt id = tok.specialId(role);
            if (id.isEmpty()) continue;
            g.putUInt32(Vocabulary.SPECIAL_KEYS.get(role).get(0), id.getAsInt());
            if (LEGACY_FIM_KEYS.containsKey(role)) g.putUInt32(LEGACY_FIM_KEYS.get(role), id.getAsInt());
        }
        g.putBool("tokenizer.ggml.add_bos_token", tok.addsBos()).putBool("tokenizer.ggml.add_eos_token", false);
        if (v.addSpacePrefix() != null) g.putBool("tokenizer.ggml.add_space_prefix", v.addSpacePrefix());
        g.putString("tokenizer.chat_template", chatTemplate);
    }

    static long[] dims(Param p) {
        return p.isVector() ? new long[] {p.cols} : new long[] {p.cols, p.rows};
    }

    public static ModelConfig config(GgufFile g) {
        String arch = g.getString("general.architecture");
        if (!"llama".equals(arch)) throw new CodellmException("architecture " + arch + " is not supported by the trainer (llama only)");
        int dim = g.getInt("llama.embedding_length");
        int heads = g.getInt("llama.attention.head_count");
        long vocab = g.has("llama.vocab_size") ? g.getLong("llama.vocab_size") : g.tensor("token_embd.weight").dim(1);
        return new ModelConfig((int) vocab, dim, g.getInt("llama.block_count"), heads,
                g.optInt("llama.attention.head_count_kv", heads), g.getInt("llama.feed_forward_length"),
                g.getInt("llama.context_length"), g.optFloat("llama.rope.freq_base", 10000f),
                g.optFloat("llama.attention.layer_norm_rms_epsilon", 1e-5f), g.findTensor("output.weight").isEmpty());
    }

    /** The vocabulary of a GGUF the trainer continues from: byte-level BPE or SentencePiece. */
    public static Tokenizer tokenizer(GgufFile g) {
        return Tokenizer.fromGguf(g);
    }

    /** A tensor's values as floats, whatever its storage type (F32, F16, quantized). */
    public static float[] floats(GgufFile g, String name) {
        return Dequant.toFloat(g.tensor(name));
    }

    /** Loads a llama GGUF's weights (F32/F16, or dequantized) into a trainable model. */
    public static TrainableLlama load(GgufFile g) {
        TrainableLlama m = new TrainableLlama(config(g));
        for (Param p : m.params.all()) {
            float[] v = floats(g, p.name);
            if (v.length != p.size()) throw new CodellmException("tensor " + p.name + " has " + v.length + " values, expected " + p.size());
            System.arraycopy(v, 0, p.data, 0, v.length);
        }
        return m;
    }

    /** Merges LoRA adapter tensors into the matching base weights (W += alpha/r * B A). */
    public static int mergeAdapter(TrainableLlama m, GgufFile adapter) {
        double alpha = adapter.has("adapter.lora.alpha") ? adapter.getDouble("adapter.lora.alpha") : Double.NaN;
        int merged = 0;
        for (Linear lin : m.linears()) {
            String a = lin.weight.name + ".lora_a", b = lin.weight.name + ".lora_b";
            if (adapter.findTensor(a).isEmpty()) continue;
            float[] av = floats(adapter, a), bv = floats(adapter, b);
            int rank = av.length / lin.in;
            if (av.length != rank * lin.in || bv.length != rank * lin.out) throw new CodellmException("adapter " + a + " does not fit " + lin.weight.name);
            float scale = (float) ((Double.isNaN(alpha) ? rank : alpha) / rank);
            for (int o = 0; o < lin.out; o++)
                for (int k = 0; k < rank; k++)
                    dev.codellm.train.model.Kernels.axpy(scale * bv[o * rank + k], av, k * lin.in, lin.weight.data, o * lin.in, lin.in);
            merged++;
        }
        if (merged == 0) throw new CodellmException("adapter has no tensors matching this model's layers");
        return merged;
    }

    public static List<String> loraTargets() {
        return List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down");
    }
}
