package dev.codellm.train;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.generate.ChatTemplates;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.LlamaGguf;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.model.tokenizer.TokenizerGguf;
import dev.codellm.train.model.Linear;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.train.model.Param;
import java.io.IOException;
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
        g.putString(LlamaGguf.ARCHITECTURE, LlamaGguf.ARCHITECTURE_NAME).putString("general.type", "adapter")
                .putString(LlamaGguf.NAME, name).putString("adapter.type", "lora");
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

    /** The model's keys through the one llama schema: F32 weights ({@code general.file_type} 0). */
    static GgufWriter header(LlamaConfig c, String name) {
        return LlamaGguf.writeConfig(new GgufWriter(), c, name, LlamaGguf.fileType(GgmlType.F32));
    }

    /** The vocabulary ({@link TokenizerGguf}, the model module's) and the chat template (Jinja text). */
    static void putTokenizer(GgufWriter g, Tokenizer tok, String chatTemplate) {
        TokenizerGguf.write(g, tok).putString(TokenizerGguf.CHAT_TEMPLATE, chatTemplate);
    }

    static long[] dims(Param p) {
        return p.isVector() ? new long[] {p.cols} : new long[] {p.cols, p.rows};
    }

    /** The base model's config, as the engine reads it (rope dimensions and scaling included). */
    public static LlamaConfig config(GgufFile g) {
        return LlamaConfig.fromGguf(g);
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
        // the trainer's RoPE has no per-pair divisors: training would rotate differently from the engine
        if (g.findTensor(dev.codellm.model.llama.LlamaGguf.ROPE_FREQS).isPresent())
            throw new CodellmException("the model has " + dev.codellm.model.llama.LlamaGguf.ROPE_FREQS
                    + " (llama3 rope scaling), which the Java trainer does not apply: fine-tune it with train export (axolotl, deepspeed, trl)");
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

    /** Every block matrix can take an adapter: the schema's non-norm block tensors, by role. */
    public static List<String> loraTargets() {
        return java.util.Arrays.stream(LlamaGguf.BlockTensor.values()).filter(t -> !t.isVector()).map(t -> t.role).toList();
    }
}
