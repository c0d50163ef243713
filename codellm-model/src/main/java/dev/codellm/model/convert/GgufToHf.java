package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.LlamaGguf;
import dev.codellm.model.llama.RopeScaling;
import dev.codellm.model.tokenizer.TokenizerGguf;
import dev.codellm.model.tokenizer.Vocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code codellm convert --to hf}: a llama GGUF with F32/F16/BF16 weights (ours, a trained one, any
 * llama.cpp one) as a Hugging Face directory that transformers, TRL, axolotl and DeepSpeed load:
 * {@code config.json}, {@code model.safetensors} (sharded past {@link #SHARD_BYTES} with an index),
 * {@code tokenizer.model} (SentencePiece vocabularies) or {@code tokenizer.json} (byte-level BPE),
 * and {@code tokenizer_config.json} with the chat template. Q/K rows are permuted back to
 * rotate-half, so {@link HfToGguf} of the result gives the same tensors again. Written into a
 * temporary directory beside the target and renamed at the end.
 */
public final class GgufToHf {
    static final long SHARD_BYTES = 4L << 30;

    /** What was written. */
    public record Result(int tensors, long bytes, String tokenizerFile, double seconds) {}

    private GgufToHf() {}

    public static Result export(Path gguf, Path outDir, PrintStream log) {
        return export(gguf, outDir, SHARD_BYTES, log);
    }

    static Result export(Path gguf, Path outDir, long shardBytes, PrintStream log) {
        long t0 = System.nanoTime();
        if (Files.exists(outDir)) {
            try (Stream<Path> s = Files.list(outDir)) {
                if (s.findAny().isPresent()) throw new CodellmException(outDir + " exists and is not empty: choose a new directory");
            } catch (IOException e) {
                throw new CodellmException(outDir + " exists and is not a directory");
            }
        }
        try (GgufFile f = GgufFile.open(gguf)) {
            LlamaConfig c = LlamaGguf.read(f);
            if (f.findTensor(LlamaGguf.ROPE_FREQS).isPresent())  // its config.json parameters are not in the file: refuse rather than export an unscaled model
                throw new CodellmException(gguf + ": has " + LlamaGguf.ROPE_FREQS + " (llama3 rope scaling), whose config.json parameters a GGUF does not keep: export is not supported");
            List<GgufTensor> tensors = new ArrayList<>();
            for (LlamaGguf.TensorSpec spec : LlamaGguf.tensors(c)) {
                GgufTensor t = f.findTensor(spec.name()).orElseThrow(() -> new CodellmException(gguf + ": tensor " + spec.name() + " is missing"));
                if (t.type() != GgmlType.F32 && t.type() != GgmlType.F16 && t.type() != GgmlType.BF16)
                    throw new CodellmException(gguf + ": tensor " + t.name() + " is " + t.type()
                            + "; export needs F32, F16 or BF16 weights (export the file you quantized from)");
                tensors.add(t);
            }
            Path abs = outDir.toAbsolutePath().normalize();
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".");
            // createTempDirectory makes it owner-only; the model directory is for sharing like any other
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix"))
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                long bytes = writeWeights(tmp, tensors, c, shardBytes, log);
                Vocabulary v = Vocabulary.fromGguf(f);
                String tokFile = HfTokenizerExport.write(tmp, v, f.optString(TokenizerGguf.CHAT_TEMPLATE, null), c.contextLength());
                Json.write(tmp.resolve("config.json"), config(c, v, majority(tensors)));
                if (Files.exists(abs)) Files.delete(abs);  // empty, checked above
                Files.move(tmp, abs);
                return new Result(tensors.size(), bytes, tokFile, (System.nanoTime() - t0) / 1e9);
            } catch (IOException e) {
                throw new CodellmException("cannot write " + outDir + ": " + e.getMessage());
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new CodellmException("cannot write " + outDir + ": " + e.getMessage());
        }
    }

    private static long writeWeights(Path dir, List<GgufTensor> tensors, LlamaConfig c, long shardBytes, PrintStream log) throws IOException {
        List<List<SafetensorsWriter.Tensor>> shards = new ArrayList<>();
        List<SafetensorsWriter.Tensor> cur = new ArrayList<>();
        long curBytes = 0, total = 0;
        // counted per tensor as its bytes are written (a 7B model is 1 to 4 shards: a bar per shard sat at 0/1 for a minute)
        dev.codellm.core.Progress progress = new dev.codellm.core.Progress("export", tensors.size(), log, 2000);
        for (GgufTensor t : tensors) {
            SafetensorsWriter.Tensor st = counted(hfTensor(t, c), progress);
            if (!cur.isEmpty() && curBytes + st.bytes() > shardBytes) {
                shards.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(st);
            curBytes += st.bytes();
            total += st.bytes();
        }
        shards.add(cur);
        if (shards.size() == 1) {
            SafetensorsWriter.write(dir.resolve("model.safetensors"), shards.get(0));
            return total;
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(dir.resolve(name), shards.get(i));
            for (SafetensorsWriter.Tensor t : shards.get(i)) weightMap.put(t.name(), name);
        }
        Json.write(dir.resolve("model.safetensors.index.json"), Map.of("metadata", Map.of("total_size", total), "weight_map", weightMap));
        return total;
    }

    /** {@code t}, stepping {@code progress} once its bytes are written. */
    private static SafetensorsWriter.Tensor counted(SafetensorsWriter.Tensor t, dev.codellm.core.Progress progress) {
        return new SafetensorsWriter.Tensor(t.name(), t.type(), t.shape(), sink -> {
            t.data().write(sink);
            progress.step(1);
        });
    }

    /** The GGUF tensor as HF stores it: HF name, shape outermost first, rows of Q/K back in rotate-half order. */
    static SafetensorsWriter.Tensor hfTensor(GgufTensor t, LlamaConfig c) {
        long[] g = t.shape();
        long[] shape = new long[g.length];
        for (int i = 0; i < g.length; i++) shape[i] = g[g.length - 1 - i];
        int heads = t.name().endsWith(".attn_q.weight") ? c.heads() : t.name().endsWith(".attn_k.weight") ? c.kvHeads() : 0;
        MemorySegment data = t.data();
        SafetensorsWriter.Bytes bytes;
        if (heads == 0) {
            bytes = sink -> {
                var b = data.asByteBuffer();
                while (b.hasRemaining()) sink.write(b);
                if (data.isMapped()) data.unload();  // keep one tensor resident, not the file
            };
        } else {
            long rows = t.rowCount(), rowBytes = t.rowBytes(), hd = rows / heads, half = hd / 2;
            bytes = sink -> {
                for (long h = 0; h < rows; h++) {
                    long head = h / hd, k = h % hd, j = k / half, i = k % half;
                    long g2 = head * hd + 2 * i + j;  // the GGUF row HF row h came from (HfToGguf.HfTensor.sourceRow inverted)
                    var b = data.asSlice(g2 * rowBytes, rowBytes).asByteBuffer();
                    while (b.hasRemaining()) sink.write(b);
                }
                if (data.isMapped()) data.unload();
            };
        }
        return new SafetensorsWriter.Tensor(HfToGguf.hfName(t.name()), t.type(), shape, bytes);
    }

    private static GgmlType majority(List<GgufTensor> tensors) {
        return tensors.stream().filter(t -> t.rank() == 2).map(GgufTensor::type).findFirst().orElse(GgmlType.F32);
    }

    /** config.json of a LlamaForCausalLM with this config. */
    static Map<String, Object> config(LlamaConfig c, Vocabulary v, GgmlType dtype) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlamaForCausalLM"));
        m.put("model_type", "llama");
        m.put("hidden_size", c.dim());
        m.put("intermediate_size", c.ffnDim());
        m.put("num_hidden_layers", c.layers());
        m.put("num_attention_heads", c.heads());
        m.put("num_key_value_heads", c.kvHeads());
        m.put("vocab_size", c.vocabSize());
        m.put("max_position_embeddings", c.contextLength());
        m.put("rms_norm_eps", Double.parseDouble(Float.toString(c.rmsEps())));  // 1e-5, not 9.99999974e-6
        m.put("rope_theta", Double.parseDouble(Float.toString(c.ropeTheta())));
        RopeScaling s = c.ropeScaling();
        if (s.type() != RopeScaling.Type.NONE) {
            Map<String, Object> rs = new LinkedHashMap<>();
            rs.put("type", s.type() == RopeScaling.Type.LINEAR ? "linear" : "yarn");
            rs.put("rope_type", rs.get("type"));
            rs.put("factor", Double.parseDouble(Float.toString(s.factor())));
            if (s.originalContext() > 0) rs.put("original_max_position_embeddings", s.originalContext());
            m.put("rope_scaling", rs);
        } else {
            m.put("rope_scaling", null);
        }
        m.put("hidden_act", "silu");
        m.put("tie_word_embeddings", c.tiedOutput());
        Integer bos = v.specialIds().get("bos"), eos = v.specialIds().get("eos"), pad = v.specialIds().get("pad");
        if (bos != null) m.put("bos_token_id", bos);
        if (eos != null) m.put("eos_token_id", eos);
        if (pad != null) m.put("pad_token_id", pad);
        m.put("torch_dtype", switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        return m;
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
