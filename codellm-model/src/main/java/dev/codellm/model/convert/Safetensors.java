package dev.codellm.model.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code .safetensors} file, memory-mapped: an 8-byte little-endian header length, a JSON
 * header ({@code name → {dtype, shape, data_offsets}}, plus {@code __metadata__}), then the raw
 * little-endian tensor bytes. Tensors are slices of the mapping, never copied to the heap. Only the
 * float types a Llama checkpoint holds are accepted (F32, F16, BF16); anything else, an offset
 * outside the file or a size that does not match the shape is one error naming the file and tensor.
 */
public final class Safetensors implements AutoCloseable {
    /** A tensor: HF shape (outermost first, as PyTorch prints it), element type, bytes. */
    public record Entry(String name, GgmlType type, long[] shape, MemorySegment data) {
        public long elementCount() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    static final long MAX_HEADER = 100L << 20;

    private final Path path;
    private final Arena arena;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path path, Arena arena, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static Safetensors open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new CodellmException(path + ": not a safetensors file (" + size + " bytes)");
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = map.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size)
                throw new CodellmException(path + ": not a safetensors file (header length " + headerLen + " in a " + size + "-byte file)");
            String header = new String(map.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(header);
            } catch (IOException e) {
                throw new CodellmException(path + ": safetensors header is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            if (root == null || !root.isObject()) throw new CodellmException(path + ": safetensors header is not a JSON object");
            long dataStart = 8 + headerLen;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(e.getKey(), entry(path, e.getKey(), e.getValue(), map, dataStart, size));
            }
            return new Safetensors(path, arena, Collections.unmodifiableMap(entries), meta);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new CodellmException("file not found: " + path);
        } catch (IOException e) {
            arena.close();
            throw new CodellmException("cannot read " + path + ": " + e.getMessage());
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Entry entry(Path path, String name, JsonNode n, MemorySegment map, long dataStart, long size) {
        String dtype = n.path("dtype").asText("");
        GgmlType type = switch (dtype) {
            case "F32" -> GgmlType.F32;
            case "F16" -> GgmlType.F16;
            case "BF16" -> GgmlType.BF16;
            default -> throw new CodellmException(path + ": tensor " + name + " has dtype '" + dtype
                    + "' (supported: F32, F16, BF16; a quantized or integer checkpoint cannot be converted)");
        };
        JsonNode shapeNode = n.path("shape"), off = n.path("data_offsets");
        if (!shapeNode.isArray() || !off.isArray() || off.size() != 2)
            throw new CodellmException(path + ": tensor " + name + " lacks a shape or data_offsets");
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) throw new CodellmException(path + ": tensor " + name + " has a negative dimension");
            count = Math.multiplyExact(count, shape[i]);
        }
        long begin = off.get(0).asLong(-1), end = off.get(1).asLong(-1);
        if (begin < 0 || end < begin || dataStart + end > size)
            throw new CodellmException(path + ": tensor " + name + " has data_offsets [" + begin + ", " + end + "] outside the file (truncated download?)");
        long want = count * (type == GgmlType.F32 ? 4 : 2);
        if (end - begin != want)
            throw new CodellmException(path + ": tensor " + name + " holds " + (end - begin) + " bytes, its shape needs " + want);
        return new Entry(name, type, shape, map.asSlice(dataStart + begin, end - begin));
    }

    public Path path() { return path; }

    /** Tensors in header order. */
    public Map<String, Entry> entries() { return entries; }

    /** The {@code __metadata__} strings (e.g. {@code format: pt}). */
    public Map<String, String> metadata() { return metadata; }

    @Override
    public void close() { arena.close(); }
}
