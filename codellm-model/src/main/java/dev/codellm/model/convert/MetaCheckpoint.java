package dev.codellm.model.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Meta's original release layout ({@code params.json}, {@code consolidated.00.pth},
 * {@code tokenizer.model}) as the Hugging Face names and config {@link HfToGguf} converts. Meta's
 * Q/K rows are already in the interleaved order GGML uses (Hugging Face's conversion script is
 * what permutes them to rotate-half), so they are copied unpermuted. The bigger releases (13B: 2
 * files, 34B: 4, 70B: 8) are split for model parallelism: each {@code consolidated.NN.pth} holds a
 * slice of every matrix and a copy of every vector; they are merged as llama.cpp's old
 * {@code convert.py} did ({@code merge_sharded}), without copying: each merged tensor reads its
 * rows from the pieces' mappings ({@link HfWeights.Tensor}).
 */
final class MetaCheckpoint {
    private MetaCheckpoint() {}

    private static final Pattern SHARD = Pattern.compile("consolidated\\.(\\d+)\\.pth");

    static boolean is(Path dir) {
        return !Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("params.json"));
    }

    /** The weights (the shards merged) renamed to HF's names. */
    static HfWeights weights(Path dir) {
        List<Path> parts = shards(dir);
        if (parts.size() == 1) return HfWeights.ofPickles(parts).renamed(MetaCheckpoint::hfName);
        List<PthCheckpoint> open = new ArrayList<>();
        try {
            for (Path p : parts) open.add(PthCheckpoint.open(p));
            return HfWeights.of(open, merge(open, parts)).renamed(MetaCheckpoint::hfName);
        } catch (RuntimeException e) {
            open.forEach(PthCheckpoint::close);
            throw e;
        }
    }

    /** consolidated.00.pth, .01.pth ... in order; a gap in the numbering is an error naming the missing file. */
    static List<Path> shards(Path dir) {
        List<Path> parts;
        try (Stream<Path> s = Files.list(dir)) {
            parts = s.filter(p -> SHARD.matcher(p.getFileName().toString()).matches()).sorted(Comparator.comparingInt(MetaCheckpoint::shardNumber)).toList();
        } catch (IOException e) {
            throw new CodellmException("cannot list " + dir + ": " + e.getMessage());
        }
        if (parts.isEmpty()) throw new CodellmException(dir + ": params.json but no consolidated.00.pth");
        for (int i = 0; i < parts.size(); i++)
            if (shardNumber(parts.get(i)) != i)
                throw new CodellmException(dir + ": consolidated." + String.format("%02d", i) + ".pth is missing (found " + parts.size() + " files up to "
                        + parts.get(parts.size() - 1).getFileName() + "; an incomplete download?)");
        return parts;
    }

    private static int shardNumber(Path p) {
        Matcher m = SHARD.matcher(p.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(p.toString());
        return Integer.parseInt(m.group(1));
    }

    /**
     * The axis a model-parallel shard splits a matrix along, as Meta's fairscale layers do:
     * ParallelEmbedding and the row-parallel wo / w2 split their columns (axis 1), the
     * column-parallel wq, wk, wv, w1, w3 and output their rows (axis 0).
     */
    static int splitAxis(String metaName) {
        return metaName.startsWith("tok_embeddings.") || metaName.endsWith(".attention.wo.weight") || metaName.endsWith(".feed_forward.w2.weight") ? 1 : 0;
    }

    /**
     * One tensor per name from the shards: matrices side by side along {@link #splitAxis}, vectors
     * (norms, rope.freqs) replicated, taken from the first file once every copy is seen to be equal.
     * Files that disagree (another tensor set, a dtype, a piece's shape, a vector's values) are an error.
     */
    static Map<String, HfWeights.Tensor> merge(List<PthCheckpoint> shards, List<Path> files) {
        Map<String, Safetensors.Entry> first = shards.get(0).tensors();
        for (int s = 1; s < shards.size(); s++) {
            Set<String> missing = new TreeSet<>(first.keySet()), extra = new TreeSet<>(shards.get(s).tensors().keySet());
            missing.removeAll(shards.get(s).tensors().keySet());
            extra.removeAll(first.keySet());
            if (!missing.isEmpty() || !extra.isEmpty())
                throw new CodellmException(files.get(s) + ": not a shard of the same checkpoint as " + files.get(0).getFileName() + " ("
                        + (!missing.isEmpty() ? "lacks " + String.join(", ", missing.stream().limit(3).toList()) : "has " + String.join(", ", extra.stream().limit(3).toList()) + " besides")
                        + ")");
        }
        Map<String, HfWeights.Tensor> out = new LinkedHashMap<>();
        for (Safetensors.Entry e0 : first.values()) {
            String name = e0.name();
            List<Safetensors.Entry> pieces = new ArrayList<>();
            for (PthCheckpoint c : shards) pieces.add(c.tensors().get(name));
            int axis = e0.shape().length == 1 ? -1 : splitAxis(name);
            long[] shape = e0.shape().clone();
            for (int s = 1; s < pieces.size(); s++) {
                Safetensors.Entry e = pieces.get(s);
                if (e.type() != e0.type() || !Arrays.equals(e.shape(), e0.shape()))  // fairscale splits evenly: each piece has the first one's shape
                    throw new CodellmException(files.get(s) + ": tensor " + name + " is " + e.type() + " " + Arrays.toString(e.shape()) + " but "
                        + e0.type() + " " + Arrays.toString(e0.shape()) + " in " + files.get(0).getFileName() + (axis >= 0 ? " (split along axis " + axis + ")" : ""));
                if (axis < 0 && e.data().mismatch(e0.data()) >= 0)
                    throw new CodellmException(files.get(s) + ": tensor " + name + " differs from " + files.get(0).getFileName()
                            + "'s copy (vectors are replicated in every shard)");
                if (axis >= 0) shape[axis] += e.shape()[axis];
            }
            out.put(name, axis < 0 ? HfWeights.Tensor.of(e0) : new HfWeights.Tensor(name, e0.type(), shape, axis, List.copyOf(pieces)));
        }
        return out;
    }

    static String hfName(String meta) {
        switch (meta) {
            case "tok_embeddings.weight": return "model.embed_tokens.weight";
            case "norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
            case "rope.freqs": return null;  // recomputed from rope_theta
            default:
        }
        String[] p = meta.split("\\.", 3);
        if (p.length == 3 && p[0].equals("layers")) {
            String role = switch (p[2]) {
                case "attention.wq.weight" -> "self_attn.q_proj.weight";
                case "attention.wk.weight" -> "self_attn.k_proj.weight";
                case "attention.wv.weight" -> "self_attn.v_proj.weight";
                case "attention.wo.weight" -> "self_attn.o_proj.weight";
                case "feed_forward.w1.weight" -> "mlp.gate_proj.weight";
                case "feed_forward.w2.weight" -> "mlp.down_proj.weight";
                case "feed_forward.w3.weight" -> "mlp.up_proj.weight";
                case "attention_norm.weight" -> "input_layernorm.weight";
                case "ffn_norm.weight" -> "post_attention_layernorm.weight";
                default -> null;
            };
            if (role != null) return "model.layers." + p[1] + "." + role;
        }
        return meta;  // reported as an unexpected tensor
    }

    /**
     * params.json as the config.json HfConfig reads: the FFN width and (when params.json says -1)
     * the vocabulary come from the tensors; the context length is llama.cpp's legacy guess (Code
     * Llama's rope_theta 1e6: 16384, Llama 2's norm_eps 1e-5: 4096, else 2048).
     */
    static HfConfig config(Path dir, HfWeights w) {
        Path file = dir.resolve("params.json");
        JsonNode p = Json.read(file);
        HfWeights.Tensor emb = w.tensors().get("model.embed_tokens.weight"), gate = w.tensors().get("model.layers.0.mlp.gate_proj.weight");
        if (emb == null || gate == null) throw new CodellmException(dir + ": consolidated.00.pth lacks tok_embeddings or layers.0.feed_forward.w1");
        int dim = p.path("dim").asInt();
        if (emb.shape().length != 2 || emb.shape()[1] != dim)  // the embedding's columns are split: a missing last shard shows here first
            throw new CodellmException(dir + ": the merged tok_embeddings is " + Arrays.toString(emb.shape()) + " but params.json's dim is " + dim
                    + (emb.shape().length == 2 && emb.shape()[1] < dim && dim % emb.shape()[1] == 0
                            ? ": " + shards(dir).size() + " consolidated.*.pth of " + shards(dir).size() * dim / emb.shape()[1] + " (shards missing?)" : ""));
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("hidden_size", dim).put("num_hidden_layers", p.path("n_layers").asInt())
                .put("num_attention_heads", p.path("n_heads").asInt()).put("num_key_value_heads", p.path("n_kv_heads").asInt(p.path("n_heads").asInt()))
                .put("intermediate_size", gate.shape()[0])
                .put("vocab_size", p.path("vocab_size").asInt(-1) > 0 ? p.path("vocab_size").asInt() : (int) emb.shape()[0]);
        double eps = p.path("norm_eps").asDouble(1e-5), theta = p.path("rope_theta").asDouble(10000);
        c.put("rms_norm_eps", eps).put("rope_theta", theta)
                .put("max_position_embeddings", theta == 1e6 ? 16384 : eps == 1e-5 ? 4096 : 2048)
                .put("tie_word_embeddings", false);
        return HfConfig.parse(c, file);
    }
}
