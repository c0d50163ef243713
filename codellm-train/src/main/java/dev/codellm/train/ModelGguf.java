package dev.codellm.train;

import dev.codellm.core.CodellmException;
import dev.codellm.train.data.SpecialTokens;
import dev.codellm.train.gguf.GgufIn;
import dev.codellm.train.gguf.GgufOut;
import dev.codellm.train.model.Linear;
import dev.codellm.train.model.LlamaModel;
import dev.codellm.train.model.ModelConfig;
import dev.codellm.train.model.Param;
import dev.codellm.train.tokenizer.BpeTokenizer;
import java.io.IOException;
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

    public static void write(LlamaModel m, BpeTokenizer tok, String name, java.nio.file.Path path) throws IOException {
        GgufOut g = header(m.config, name);
        putTokenizer(g, tok);
        for (Param p : m.params.all()) {
            if (p.name.endsWith(".lora_a") || p.name.endsWith(".lora_b")) continue;
            g.addTensor(p.name, dims(p), p.data);
        }
        g.write(path);
    }

    /** A llama.cpp LoRA adapter GGUF (general.type=adapter, adapter.lora.alpha, *.lora_a/b). */
    public static void writeAdapter(LlamaModel m, String name, java.nio.file.Path path) throws IOException {
        GgufOut g = new GgufOut();
        g.putString("general.architecture", "llama").putString("general.type", "adapter")
                .putString("general.name", name).putString("adapter.type", "lora");
        boolean any = false;
        for (Linear lin : m.linears()) {
            if (lin.rank() == 0) continue;
            if (!any) g.putF32("adapter.lora.alpha", lin.loraScale * lin.rank());
            any = true;
            g.addTensor(lin.loraA.name, dims(lin.loraA), lin.loraA.data);
            g.addTensor(lin.loraB.name, dims(lin.loraB), lin.loraB.data);
        }
        if (!any) throw new IllegalStateException("model has no LoRA adapters");
        g.write(path);
    }

    static GgufOut header(ModelConfig c, String name) {
        GgufOut g = new GgufOut();
        g.putString("general.architecture", "llama").putString("general.name", name)
                .putU32("general.file_type", 0)
                .putU32("llama.vocab_size", c.vocabSize())
                .putU32("llama.context_length", c.contextLength())
                .putU32("llama.embedding_length", c.dim())
                .putU32("llama.block_count", c.layers())
                .putU32("llama.feed_forward_length", c.ffnDim())
                .putU32("llama.attention.head_count", c.heads())
                .putU32("llama.attention.head_count_kv", c.kvHeads())
                .putU32("llama.rope.dimension_count", c.headDim())
                .putF32("llama.rope.freq_base", c.ropeTheta())
                .putF32("llama.attention.layer_norm_rms_epsilon", c.normEps());
        return g;
    }

    static void putTokenizer(GgufOut g, BpeTokenizer tok) {
        SpecialTokens sp = SpecialTokens.of(tok);
        g.putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-2")
                .putStrings("tokenizer.ggml.tokens", tok.tokens())
                .putI32s("tokenizer.ggml.token_type", tok.types())
                .putStrings("tokenizer.ggml.merges", tok.merges())
                .putU32("tokenizer.ggml.bos_token_id", sp.bos())
                .putU32("tokenizer.ggml.eos_token_id", sp.eos())
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false)
                // both spellings: older llama.cpp reads prefix/suffix/middle, newer fim_pre/suf/mid
                .putU32("tokenizer.ggml.prefix_token_id", sp.pre())
                .putU32("tokenizer.ggml.suffix_token_id", sp.suf())
                .putU32("tokenizer.ggml.middle_token_id", sp.mid())
                .putU32("tokenizer.ggml.fim_pre_token_id", sp.pre())
                .putU32("tokenizer.ggml.fim_suf_token_id", sp.suf())
                .putU32("tokenizer.ggml.fim_mid_token_id", sp.mid())
                .putU32("tokenizer.ggml.eot_token_id", sp.eot())
                .putString("tokenizer.chat_template", CHAT_TEMPLATE);
    }

    static long[] dims(Param p) {
        return p.isVector() ? new long[] {p.cols} : new long[] {p.cols, p.rows};
    }

    public static ModelConfig config(GgufIn g) {
        String arch = g.string("general.architecture");
        if (!"llama".equals(arch)) throw new CodellmException("architecture " + arch + " is not supported by the trainer (llama only)");
        int dim = (int) g.integer("llama.embedding_length");
        int heads = (int) g.integer("llama.attention.head_count");
        long vocab = g.metadata().containsKey("llama.vocab_size") ? g.integer("llama.vocab_size")
                : g.tensors().get("token_embd.weight").dims()[1];
        return new ModelConfig((int) vocab, dim, (int) g.integer("llama.block_count"), heads,
                (int) g.integer("llama.attention.head_count_kv", heads), (int) g.integer("llama.feed_forward_length"),
                (int) g.integer("llama.context_length"), (float) g.real("llama.rope.freq_base", 10000.0),
                (float) g.real("llama.attention.layer_norm_rms_epsilon", 1e-5), !g.tensors().containsKey("output.weight"));
    }

    /** Loads a llama GGUF's weights (F32/F16) into a trainable model. */
    public static LlamaModel load(GgufIn g) {
        LlamaModel m = new LlamaModel(config(g));
        for (Param p : m.params.all()) {
            float[] v = g.floats(p.name);
            if (v.length != p.size()) throw new CodellmException("tensor " + p.name + " has " + v.length + " values, expected " + p.size());
            System.arraycopy(v, 0, p.data, 0, v.length);
        }
        return m;
    }

    /** Merges LoRA adapter tensors into the matching base weights (W += alpha/r * B A). */
    public static int mergeAdapter(LlamaModel m, GgufIn adapter) {
        double alpha = adapter.real("adapter.lora.alpha", Double.NaN);
        int merged = 0;
        for (Linear lin : m.linears()) {
            String a = lin.weight.name + ".lora_a", b = lin.weight.name + ".lora_b";
            if (!adapter.tensors().containsKey(a)) continue;
            float[] av = adapter.floats(a), bv = adapter.floats(b);
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
