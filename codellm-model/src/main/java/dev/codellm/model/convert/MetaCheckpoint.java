package dev.codellm.model.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Meta's original release layout ({@code params.json}, {@code consolidated.00.pth},
 * {@code tokenizer.model}) as the Hugging Face names and config {@link HfToGguf} converts. Meta's
 * Q/K rows are already in the interleaved order GGML uses (Hugging Face's conversion script is
 * what permutes them to rotate-half), so they are copied unpermuted. Only single-file checkpoints
 * (7B) are read: the bigger ones are split across files along different axes per tensor.
 */
final class MetaCheckpoint {
    private MetaCheckpoint() {}

    static boolean is(Path dir) {
        return !Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("params.json"));
    }

    /** The weights renamed to HF's names. */
    static HfWeights weights(Path dir) {
        List<Path> parts;
        try (Stream<Path> s = Files.list(dir)) {
            parts = s.filter(p -> p.getFileName().toString().matches("consolidated\\.\\d+\\.pth")).sorted().toList();
        } catch (IOException e) {
            throw new CodellmException("cannot list " + dir + ": " + e.getMessage());
        }
        if (parts.isEmpty()) throw new CodellmException(dir + ": params.json but no consolidated.00.pth");
        if (parts.size() > 1)
            throw new CodellmException(dir + ": " + parts.size() + " model-parallel consolidated.*.pth files; only single-file checkpoints (7B) are read, convert the Hugging Face release instead");
        return HfWeights.ofPickles(parts).renamed(MetaCheckpoint::hfName);
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
        Safetensors.Entry emb = w.tensors().get("model.embed_tokens.weight"), gate = w.tensors().get("model.layers.0.mlp.gate_proj.weight");
        if (emb == null || gate == null) throw new CodellmException(dir + ": consolidated.00.pth lacks tok_embeddings or layers.0.feed_forward.w1");
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("hidden_size", p.path("dim").asInt()).put("num_hidden_layers", p.path("n_layers").asInt())
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
