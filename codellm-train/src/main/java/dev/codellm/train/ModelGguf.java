package dev.codellm.train;

import dev.codellm.core.CodellmException;
import dev.codellm.train.data.SpecialTokens;
import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.tokenizer.TokenType;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.model.tokenizer.Vocabulary;
import dev.codellm.train.model.Linear;
import dev.codellm.train.model.LlamaModel;
import dev.codellm.train.model.ModelConfig;
import dev.codellm.train.model.Param;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Models as llama.cpp-convention GGUFs ({@code general.architecture=llama}): tensor names
 * token_embd / blk.N.attn_q ... / output_norm / output, F32, and a byte-level BPE vocabulary
 * ({@code tokenizer.ggml.model=gpt2}, pre-tokenizer gpt-2) with Code Llama's FIM token ids.
 *
 * <p>RoPE: the trainer rotates adjacent pairs, which is what llama.cpp applies to {@code llama}
 * GGUFs (HF checkpoints are permuted into this order by convert_hf_to_gguf), so weights are
 * written as trained, unpermuted.
 */
public final class ModelGguf {
    private ModelGguf() {}

    /** Llama 2 / Code Llama Instruct chat template (Jinja, as HF tokenizer configs store it). */
    public static final String CHAT_TEMPLATE =
            "{% if messages[0]['role'] == 'system' %}{% set sys = '<<SYS>>\\n' + messages[0]['content'] + '\\n<</SYS>>\\n\\n' %}{% set msgs = messages[1:] %}"
            + "{% else %}{% set sys = '' %}{% set msgs = messages %}{% endif %}"
            + "{% for m in msgs %}{% if m['role'] == 'user' %}{{ bos_token + '[INST] ' + (sys if loop.first else '') + m['content'] | trim + ' [/INST]' }}"
            + "{% else %}{{ ' ' + m['content'] | trim + ' ' + eos_token }}{% endif %}{% endfor %}";

    public static void write(LlamaModel m, Tokenizer tok, String name, java.nio.file.Path path) throws IOException {
        GgufWriter g = header(m.config, name);
        putTokenizer(g, tok);
        for (Param p : m.params.all()) {
            if (p.name.endsWith(".lora_a") || p.name.endsWith(".lora_b")) continue;
            g.addTensor(p.name, GgmlType.F32, dims(p), p.data);
        }
        g.write(path);
    }

    /** A llama.cpp LoRA adapter GGUF (general.type=adapter, adapter.lora.alpha, *.lora_a/b). */
    public static void writeAdapter(LlamaModel m, String name, java.nio.file.Path path) throws IOException {
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

    static void putTokenizer(GgufWriter g, Tokenizer tok) {
        SpecialTokens sp = SpecialTokens.of(tok);
        Vocabulary v = tok.vocabulary();
        int[] types = v.tokenTypes() != null ? v.tokenTypes() : new int[v.size()];
        if (v.tokenTypes() == null) Arrays.fill(types, TokenType.NORMAL.code);
        g.putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-2")
                .putStrings("tokenizer.ggml.tokens", v.tokens())
                .putInt32s("tokenizer.ggml.token_type", types)
                .putStrings("tokenizer.ggml.merges", v.merges())
                .putUInt32("tokenizer.ggml.bos_token_id", sp.bos())
                .putUInt32("tokenizer.ggml.eos_token_id", sp.eos())
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false)
                // both spellings: older llama.cpp reads prefix/suffix/middle, newer fim_pre/suf/mid
                .putUInt32("tokenizer.ggml.prefix_token_id", sp.pre())
                .putUInt32("tokenizer.ggml.suffix_token_id", sp.suf())
                .putUInt32("tokenizer.ggml.middle_token_id", sp.mid())
                .putUInt32("tokenizer.ggml.fim_pre_token_id", sp.pre())
                .putUInt32("tokenizer.ggml.fim_suf_token_id", sp.suf())
                .putUInt32("tokenizer.ggml.fim_mid_token_id", sp.mid())
                .putUInt32("tokenizer.ggml.eot_token_id", sp.eot())
                .putString("tokenizer.chat_template", CHAT_TEMPLATE);
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

    /** The byte-level BPE vocabulary of a GGUF the trainer can continue from. */
    public static Tokenizer tokenizer(GgufFile g) {
        Tokenizer tok = Tokenizer.fromGguf(g);
        if (tok.kind() != Tokenizer.Kind.BYTE_LEVEL_BPE)
            throw new CodellmException(g.path() + ": tokenizer.ggml.model is " + tok.vocabulary().model() + "; the trainer handles byte-level BPE (gpt2) only");
        return tok;
    }

    /** A tensor's values as floats, whatever its storage type (F32, F16, quantized). */
    public static float[] floats(GgufFile g, String name) {
        return Dequant.toFloat(g.tensor(name));
    }

    /** Loads a llama GGUF's weights (F32/F16, or dequantized) into a trainable model. */
    public static LlamaModel load(GgufFile g) {
        LlamaModel m = new LlamaModel(config(g));
        for (Param p : m.params.all()) {
            float[] v = floats(g, p.name);
            if (v.length != p.size()) throw new CodellmException("tensor " + p.name + " has " + v.length + " values, expected " + p.size());
            System.arraycopy(v, 0, p.data, 0, v.length);
        }
        return m;
    }

    /** Merges LoRA adapter tensors into the matching base weights (W += alpha/r * B A). */
    public static int mergeAdapter(LlamaModel m, GgufFile adapter) {
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
