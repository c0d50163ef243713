package dev.codellm.model.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The weights of a Hugging Face model directory, every tensor by its HF name, memory-mapped from
 * {@code model.safetensors}, or from the shards {@code model.safetensors.index.json} lists (a shard
 * it names that is missing, or a tensor it places in a shard that lacks it, is one error), or,
 * without safetensors, from {@code pytorch_model*.bin} ({@link PthCheckpoint}), or Meta's
 * model-parallel shards merged ({@link MetaCheckpoint}).
 */
public final class HfWeights implements AutoCloseable {
    private final List<? extends AutoCloseable> files;
    private final Map<String, Tensor> tensors;

    private HfWeights(List<? extends AutoCloseable> files, Map<String, Tensor> tensors) {
        this.files = files;
        this.tensors = tensors;
    }

    /** Weights over already opened files (closed with these weights). */
    static HfWeights of(List<? extends AutoCloseable> files, Map<String, Tensor> tensors) {
        return new HfWeights(files, tensors);
    }

    /**
     * A checkpoint tensor (HF shape, outermost first): one stored array, or the pieces Meta's
     * model-parallel files hold, side by side along {@code axis} (0: each piece holds some rows,
     * 1: each holds some columns of every row). Never copied: rows are decoded from the mappings.
     */
    public record Tensor(String name, GgmlType type, long[] shape, int axis, List<Safetensors.Entry> pieces) {
        static Tensor of(Safetensors.Entry e) {
            return new Tensor(e.name(), e.type(), e.shape(), 0, List.of(e));
        }

        /** The stored bytes when the tensor is one array, else null (its pieces are in several files). */
        public MemorySegment contiguous() { return pieces.size() == 1 ? pieces.get(0).data() : null; }

        public long bytes() { return pieces.stream().mapToLong(p -> p.data().byteSize()).sum(); }

        /** Drops the pieces' pages from this process once the tensor is written. */
        void unload() {
            for (Safetensors.Entry p : pieces) if (p.data().isMapped()) p.data().unload();
        }

        /**
         * Writes the bytes in row-major order, as one stored array would hold them: the pieces one
         * after another (axis 0), or each row gathered from every piece, a few MiB at a time (axis 1).
         */
        boolean copyStored(WritableByteChannel sink) throws IOException {
            if (pieces.size() == 1 || axis == 0) {
                for (Safetensors.Entry p : pieces) TensorSource.writeFully(sink, p.data().asByteBuffer());
                return true;
            }
            long n = shape[shape.length - 1], rows = pieces.get(0).elementCount() / pieces.get(0).shape()[pieces.get(0).shape().length - 1];
            long rowBytes = type.rowBytes((int) n);
            int perChunk = (int) Math.max(1, Math.min(rows, (4L << 20) / rowBytes));
            byte[] chunk = new byte[(int) (perChunk * rowBytes)];
            MemorySegment dst = MemorySegment.ofArray(chunk);
            for (long r0 = 0; r0 < rows; r0 += perChunk) {
                int count = (int) Math.min(perChunk, rows - r0);
                long off = 0;
                for (long r = r0; r < r0 + count; r++) {
                    for (Safetensors.Entry p : pieces) {
                        long b = type.rowBytes((int) p.shape()[p.shape().length - 1]);
                        MemorySegment.copy(p.data(), r * b, dst, off, b);
                        off += b;
                    }
                }
                TensorSource.writeFully(sink, ByteBuffer.wrap(chunk, 0, (int) off));
            }
            return true;
        }

        /** Decodes row {@code r} (of the last axis: ggml's row) into {@code dst[off ..]}. */
        void decodeRow(long r, float[] dst, int off) {
            int n = (int) shape[shape.length - 1];
            if (pieces.size() == 1 || axis == 0) {
                long first = 0;
                for (Safetensors.Entry p : pieces) {
                    long rows = p.elementCount() / n;
                    if (r < first + rows) {
                        Dequant.decode(type, p.data(), (r - first) * type.rowBytes(n), dst, off, n);
                        return;
                    }
                    first += rows;
                }
                throw new IndexOutOfBoundsException("row " + r + " of " + name);
            }
            for (Safetensors.Entry p : pieces) {  // axis 1: each piece holds a slice of every row
                int cols = (int) p.shape()[p.shape().length - 1];
                Dequant.decode(type, p.data(), r * type.rowBytes(cols), dst, off, cols);
                off += cols;
            }
        }
    }

    public static HfWeights open(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        List<Path> shards = new ArrayList<>();
        Map<String, String> placed = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode map = Json.read(index).path("weight_map");
            if (!map.isObject() || map.isEmpty()) throw new CodellmException(index + ": no weight_map");
            Set<String> names = new LinkedHashSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                placed.put(e.getKey(), e.getValue().asText());
                names.add(e.getValue().asText());
            }
            for (String n : names) {
                Path p = dir.resolve(n).normalize();
                if (!p.startsWith(dir.normalize())) throw new CodellmException(index + ": shard name '" + n + "' leaves the model directory");
                if (!Files.isRegularFile(p)) throw new CodellmException(index + ": shard " + n + " is missing (incomplete download?)");
                shards.add(p);
            }
        } else if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            shards.add(dir.resolve("model.safetensors"));
        } else {
            try (Stream<Path> s = Files.list(dir)) {
                shards.addAll(s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList());
            } catch (IOException e) {
                throw new CodellmException("cannot list " + dir + ": " + e.getMessage());
            }
            if (shards.isEmpty()) return pickles(dir);
        }
        List<Safetensors> open = new ArrayList<>();
        Map<String, Tensor> all = new LinkedHashMap<>();
        try {
            for (Path p : shards) {
                Safetensors st = Safetensors.open(p);
                open.add(st);
                for (Safetensors.Entry e : st.entries().values()) {
                    if (all.put(e.name(), Tensor.of(e)) != null) throw new CodellmException(p + ": tensor " + e.name() + " is also in another shard");
                    String want = placed.get(e.name());
                    if (want != null && !dir.resolve(want).normalize().equals(p.normalize()))
                        throw new CodellmException(p + ": tensor " + e.name() + " belongs to " + want + " according to the index");
                }
            }
            for (Map.Entry<String, String> e : placed.entrySet())
                if (!all.containsKey(e.getKey())) throw new CodellmException(dir.resolve(e.getValue()) + ": tensor " + e.getKey() + " listed in the index is missing");
        } catch (RuntimeException e) {
            open.forEach(Safetensors::close);
            throw e;
        }
        return new HfWeights(open, all);
    }

    /** {@code pytorch_model*.bin} (torch.save zips, read by {@link PthCheckpoint}) when a directory has no safetensors. */
    private static HfWeights pickles(Path dir) {
        List<Path> bins;
        try (Stream<Path> s = Files.list(dir)) {
            bins = s.filter(p -> p.getFileName().toString().startsWith("pytorch_model") && p.getFileName().toString().endsWith(".bin")).sorted().toList();
        } catch (IOException e) {
            throw new CodellmException("cannot list " + dir + ": " + e.getMessage());
        }
        if (bins.isEmpty()) throw new CodellmException(dir + ": no model.safetensors, model.safetensors.index.json, *.safetensors or pytorch_model*.bin weights");
        return ofPickles(bins);
    }

    /** The tensors of torch.save files (HF's pytorch_model*.bin, Meta's consolidated.00.pth). */
    static HfWeights ofPickles(List<Path> files) {
        List<PthCheckpoint> open = new ArrayList<>();
        Map<String, Tensor> all = new LinkedHashMap<>();
        try {
            for (Path p : files) {
                PthCheckpoint c = PthCheckpoint.open(p);
                open.add(c);
                for (Safetensors.Entry e : c.tensors().values())
                    if (all.put(e.name(), Tensor.of(e)) != null) throw new CodellmException(p + ": tensor " + e.name() + " is also in another file");
            }
        } catch (RuntimeException e) {
            open.forEach(PthCheckpoint::close);
            throw e;
        }
        return new HfWeights(open, all);
    }

    /** The same files with the tensors renamed ({@code rename} gives the new name, null drops a tensor). */
    HfWeights renamed(java.util.function.Function<String, String> rename) {
        Map<String, Tensor> r = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            String n = rename.apply(k);
            if (n != null) r.put(n, v);
        });
        return new HfWeights(files, r);
    }

    /** Every tensor by HF name. */
    public Map<String, Tensor> tensors() { return tensors; }

    /** Total bytes of tensor data. */
    public long bytes() { return tensors.values().stream().mapToLong(Tensor::bytes).sum(); }

    @Override
    public void close() {
        for (AutoCloseable f : files) {
            try {
                f.close();
            } catch (Exception ignored) {
                // closing mappings does not fail
            }
        }
    }
}
