package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.LlamaGguf;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code codellm convert}: a Hugging Face Llama checkpoint directory to a llama GGUF, as llama.cpp's
 * convert_hf_to_gguf.py writes it (tensor names, metadata, tokenizer keys), optionally quantized in
 * the same pass with llama-quantize's mix. The Q and K projections are permuted from HF's
 * rotate-half layout to GGML's interleaved pairs: within each head, output row {@code 2i + j} comes
 * from HF row {@code j * headDim/2 + i} (llama.cpp's {@code permute(w, n_head, n_head_kv)}).
 * Weights stream from the memory-mapped safetensors (or torch.save files: {@link PthCheckpoint})
 * straight into the output file. Meta's original layout ({@code params.json} +
 * {@code consolidated.00.pth}, {@link MetaCheckpoint}) is read too, its Q/K rows unpermuted.
 */
public final class HfToGguf {
    private HfToGguf() {}

    /** The HF name of each GGUF tensor role of a block ({@code model.layers.N.<this>}). */
    static final Map<LlamaGguf.BlockTensor, String> HF_BLOCK_NAMES = new EnumMap<>(Map.of(
            LlamaGguf.BlockTensor.ATTN_NORM, "input_layernorm.weight",
            LlamaGguf.BlockTensor.ATTN_Q, "self_attn.q_proj.weight",
            LlamaGguf.BlockTensor.ATTN_K, "self_attn.k_proj.weight",
            LlamaGguf.BlockTensor.ATTN_V, "self_attn.v_proj.weight",
            LlamaGguf.BlockTensor.ATTN_OUTPUT, "self_attn.o_proj.weight",
            LlamaGguf.BlockTensor.FFN_NORM, "post_attention_layernorm.weight",
            LlamaGguf.BlockTensor.FFN_GATE, "mlp.gate_proj.weight",
            LlamaGguf.BlockTensor.FFN_UP, "mlp.up_proj.weight",
            LlamaGguf.BlockTensor.FFN_DOWN, "mlp.down_proj.weight"));

    /** The HF name of a GGUF tensor name of the llama schema. */
    static String hfName(String gguf) {
        switch (gguf) {
            case LlamaGguf.TOKEN_EMBD: return "model.embed_tokens.weight";
            case LlamaGguf.OUTPUT_NORM: return "model.norm.weight";
            case LlamaGguf.OUTPUT: return "lm_head.weight";
            default:
        }
        String[] p = gguf.split("\\.", 3);  // blk, N, role.weight
        for (Map.Entry<LlamaGguf.BlockTensor, String> e : HF_BLOCK_NAMES.entrySet())
            if (e.getKey().name(Integer.parseInt(p[1])).equals(gguf)) return "model.layers." + p[1] + "." + e.getValue();
        throw new IllegalArgumentException(gguf);
    }

    public static GgufQuantizer.Result convert(Path dir, Path out, QuantType type, String name, int threads, PrintStream log) {
        long t0 = System.nanoTime();
        if (!Files.isDirectory(dir))
            throw new CodellmException(dir + " is not a directory (convert reads a Hugging Face model directory"
                    + (dir.toString().endsWith(".gguf") ? "; to turn a GGUF into one, add --to hf)" : ")"));
        boolean meta = MetaCheckpoint.is(dir);
        HfConfig fromJson = meta ? null : HfConfig.read(dir);  // config.json's problems first, before any weights are opened
        // Meta's layout: a tokenizer we cannot read (Llama 3's tiktoken) is refused before any weights are opened
        if (meta && Files.isRegularFile(dir.resolve("tokenizer.model"))) SentencePieceModel.read(dir.resolve("tokenizer.model"));
        try (HfWeights weights = meta ? MetaCheckpoint.weights(dir) : HfWeights.open(dir)) {
            HfConfig read = meta ? MetaCheckpoint.config(dir, weights) : fromJson;
            boolean hasHead = weights.tensors().containsKey("lm_head.weight");
            if (!hasHead && !read.tied())
                throw new CodellmException(dir + ": no lm_head.weight, and config.json does not tie the embeddings (tie_word_embeddings)");
            HfConfig hf = read.withTied(!hasHead);
            LlamaConfig c = hf.config();
            List<TensorSource> sources = sources(weights.tensors(), hf, dir, !meta);
            GgufWriter w = new GgufWriter();
            putModel(w, hf, name != null ? name : dir.toAbsolutePath().normalize().getFileName().toString(), type);
            HfTokenizer.put(w, dir, c.vocabSize(), meta ? Json.MAPPER.createObjectNode() : hf.json());
            List<QuantMix.Choice> plan = QuantMix.plan(sources.stream().map(TensorSource::name).toList(),
                    sources.stream().map(TensorSource::shape).toList(), sources.stream().map(s -> GgmlType.F32).toList(),
                    type, c.layers(), c.heads(), c.kvHeads());
            GgufQuantizer.Result r = GgufQuantizer.write(w, sources, plan, out, threads, "convert", log, null, t0);
            return new GgufQuantizer.Result(weights.bytes(), r.bytesOut(), r.elements(), r.types(), r.notes(), r.seconds());
        }
    }

    /** The schema's tensors ({@link LlamaGguf#tensors}), each taken from its HF tensor and checked against config.json's shape. */
    static List<TensorSource> sources(Map<String, HfWeights.Tensor> t, HfConfig hf, Path dir, boolean rotateHalf) {
        LlamaConfig c = hf.config();
        Set<String> unused = new TreeSet<>(t.keySet());
        List<TensorSource> out = new ArrayList<>();
        float[] freqFactors = hf.ropeFreqFactors();
        if (freqFactors != null) out.add(new FloatTensor(LlamaGguf.ROPE_FREQS, freqFactors));  // first, where llama.cpp's converter puts it
        for (LlamaGguf.TensorSpec spec : LlamaGguf.tensors(c)) {
            long[] g = spec.shape();
            long[] hfShape = new long[g.length];
            for (int i = 0; i < g.length; i++) hfShape[i] = g[g.length - 1 - i];
            int permuteHeads = !rotateHalf ? 0 : spec.name().endsWith(".attn_q.weight") ? c.heads() : spec.name().endsWith(".attn_k.weight") ? c.kvHeads() : 0;
            out.add(take(t, unused, dir, hfName(spec.name()), spec.name(), hfShape, permuteHeads));
        }
        for (int l = 0; l < c.layers(); l++) unused.remove("model.layers." + l + ".self_attn.rotary_emb.inv_freq");  // recomputed from rope_theta, as llama.cpp does
        if (!unused.isEmpty())
            throw new CodellmException(dir + ": tensors a Llama checkpoint does not have: " + String.join(", ", unused.stream().limit(5).toList())
                    + (unused.size() > 5 ? " and " + (unused.size() - 5) + " more" : "") + " (another architecture, or adapters not merged?)");
        return out;
    }

    private static TensorSource take(Map<String, HfWeights.Tensor> t, Set<String> unused, Path dir, String hfName, String name,
                                     long[] hfShape, int permuteHeads) {
        HfWeights.Tensor e = t.get(hfName);
        if (e == null) throw new CodellmException(dir + ": tensor " + hfName + " is missing from the checkpoint");
        unused.remove(hfName);
        if (!Arrays.equals(e.shape(), hfShape))
            throw new CodellmException(dir + ": tensor " + hfName + " has shape " + Arrays.toString(e.shape()) + ", config.json implies "
                    + Arrays.toString(hfShape));
        long[] shape = new long[hfShape.length];
        for (int i = 0; i < shape.length; i++) shape[i] = hfShape[hfShape.length - 1 - i];
        return new HfTensor(name, shape, e, permuteHeads);
    }

    /** A small F32 vector computed by the converter (llama3's rope_freqs). */
    record FloatTensor(String name, float[] values) implements TensorSource {
        @Override public long[] shape() { return new long[] {values.length}; }
        @Override public GgmlType type() { return GgmlType.F32; }
        @Override public void readRows(long first, int count, float[] dst) { System.arraycopy(values, 0, dst, 0, values.length); }
    }

    /** A checkpoint tensor as a GGUF source: ggml shape, rows reordered for Q/K. */
    record HfTensor(String name, long[] ggmlShape, HfWeights.Tensor tensor, int permuteHeads) implements TensorSource {
        @Override public long[] shape() { return ggmlShape.clone(); }
        @Override public GgmlType type() { return tensor.type(); }
        @Override public MemorySegment raw() { return permuteHeads == 0 ? tensor.contiguous() : null; }
        @Override public boolean copyStored(WritableByteChannel sink) throws IOException { return permuteHeads == 0 && tensor.copyStored(sink); }
        @Override public void release() { tensor.unload(); }

        @Override
        public void readRows(long first, int count, float[] dst) {
            int n = (int) ggmlShape[0];
            for (int i = 0; i < count; i++) tensor.decodeRow(sourceRow(first + i), dst, i * n);
        }

        /** The HF row that GGUF row {@code r} holds: within a head, rows (i, i + hd/2) become (2i, 2i+1). */
        long sourceRow(long r) {
            if (permuteHeads == 0) return r;
            long rows = ggmlShape[1], hd = rows / permuteHeads, half = hd / 2;
            long head = r / hd, k = r % hd, i = k / 2, j = k % 2;
            return head * hd + j * half + i;
        }
    }

    /** The llama.* and general.* keys llama.cpp's converter writes for a LlamaForCausalLM, through the schema. */
    static void putModel(GgufWriter w, HfConfig hf, String name, QuantType type) {
        LlamaGguf.writeConfig(w, hf.config(), name, type.fileType());
        w.putUInt32(LlamaGguf.QUANTIZATION_VERSION, GgufQuantizer.QUANTIZATION_VERSION);
    }
}
