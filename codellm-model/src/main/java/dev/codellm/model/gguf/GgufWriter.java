package dev.codellm.model.gguf;

import dev.codellm.core.io.OutputFiles;
import dev.codellm.core.CodellmException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a GGUF v3 file (v2 on request): typed metadata, then tensors of any {@link GgmlType},
 * either quantized here from F32 or given as raw encoded bytes. Tensor data is aligned to
 * {@code general.alignment} (default 32), as llama.cpp expects. {@link #write(Path)} writes a
 * temporary file next to the target and renames it, so a crash never leaves a half-written model.
 *
 * <pre>{@code
 * new GgufWriter()
 *     .putString("general.architecture", "llama")
 *     .putUInt32("llama.block_count", 2)
 *     .addTensor("token_embd.weight", GgmlType.Q8_0, new long[] {64, 512}, weights)
 *     .write(path);
 * }</pre>
 */
public final class GgufWriter {
    /** ggml's GGML_MAX_NAME (including the terminating NUL in C). */
    public static final int MAX_TENSOR_NAME_BYTES = 63;

    /**
     * Tensor data produced while the file is written (converters and quantizers stream tensors
     * this way, so a 7B model never sits in memory): writes exactly {@code bytes} bytes to the sink.
     */
    public interface TensorEncoder {
        void encode(WritableByteChannel sink) throws IOException;
    }

    private record PendingTensor(String name, GgmlType type, long[] shape, MemorySegment data, long bytes, TensorEncoder encoder) {
        PendingTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
            this(name, type, shape, data, data.byteSize(), null);
        }
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Map<String, Boolean> tensorNames = new LinkedHashMap<>();
    private int version = 3;

    /** GGUF version to write: 3 (default) or 2 (same little-endian layout). */
    public GgufWriter version(int v) {
        if (v != 2 && v != 3) throw new IllegalArgumentException("can only write GGUF v2 or v3, not " + v);
        version = v;
        return this;
    }

    /** Sets {@code general.alignment} (UINT32, a power of two). */
    public GgufWriter alignment(int a) {
        if (a <= 0 || Integer.bitCount(a) != 1) throw new IllegalArgumentException("alignment must be a power of two: " + a);
        return put(GgufFile.ALIGNMENT_KEY, GgufValue.ofUInt32(a));
    }

    /** Adds or replaces a typed value. */
    public GgufWriter put(String key, GgufValue value) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must not be empty");
        if (key.equals(GgufFile.ALIGNMENT_KEY)) {
            if (value.type() != GgufValueType.UINT32 || Long.bitCount((Long) value.value()) != 1)
                throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " must be a UINT32 power of two, got " + value);
        }
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds a value with its GGUF type inferred from the Java type: String → STRING, Boolean → BOOL,
     * Integer → INT32, Long → INT64, Float → FLOAT32, Double → FLOAT64, int[] → ARRAY[INT32],
     * long[] → ARRAY[INT64], float[] → ARRAY[FLOAT32], double[] → ARRAY[FLOAT64], boolean[] → ARRAY[BOOL],
     * List of String → ARRAY[STRING], List of GgufValue arrays → nested ARRAY, GgufValue → as is.
     * Use the typed putters (e.g. {@link #putUInt32}) where readers insist on a type.
     */
    public GgufWriter put(String key, Object value) {
        return put(key, switch (value) {
            case GgufValue g -> g;
            case String s -> GgufValue.ofString(s);
            case Boolean b -> GgufValue.ofBool(b);
            case Integer i -> GgufValue.ofInt32(i);
            case Long l -> GgufValue.ofInt64(l);
            case Float f -> GgufValue.ofFloat32(f);
            case Double d -> GgufValue.ofFloat64(d);
            case int[] a -> GgufValue.ofInt32s(a);
            case long[] a -> GgufValue.ofLongs(GgufValueType.INT64, a);
            case float[] a -> GgufValue.ofFloats(a);
            case double[] a -> GgufValue.ofDoubles(a);
            case boolean[] a -> GgufValue.ofBools(a);
            case List<?> l when l.stream().allMatch(o -> o instanceof String) ->
                    GgufValue.ofStrings(l.stream().map(String.class::cast).toList());
            case List<?> l when l.stream().allMatch(o -> o instanceof GgufValue) ->
                    GgufValue.ofArrays(l.stream().map(GgufValue.class::cast).toList());
            default -> throw new IllegalArgumentException("cannot infer a GGUF type for " + value.getClass().getSimpleName() + " (key " + key + ")");
        });
    }

    public GgufWriter putString(String key, String v) { return put(key, GgufValue.ofString(v)); }
    public GgufWriter putUInt32(String key, long v) { return put(key, GgufValue.ofUInt32(v)); }
    public GgufWriter putInt32(String key, int v) { return put(key, GgufValue.ofInt32(v)); }
    public GgufWriter putFloat32(String key, float v) { return put(key, GgufValue.ofFloat32(v)); }
    public GgufWriter putBool(String key, boolean v) { return put(key, GgufValue.ofBool(v)); }
    public GgufWriter putStrings(String key, List<String> v) { return put(key, GgufValue.ofStrings(v)); }
    public GgufWriter putFloats(String key, float[] v) { return put(key, GgufValue.ofFloats(v)); }
    public GgufWriter putInt32s(String key, int[] v) { return put(key, GgufValue.ofInt32s(v)); }

    /** Copies all metadata of {@code source}, types included (e.g. to re-save a model with new weights). */
    public GgufWriter putAll(GgufFile source) {
        source.entries().forEach(this::put);
        return this;
    }

    /** Removes a metadata key (no-op when absent). */
    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** Adds a tensor from F32 values, encoding them as {@code type} (see {@link Quantize}). */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, float[] values) {
        checkShape(name, type, shape);
        long n = GgufTensor.elementCount(shape);
        if (n != values.length) throw new IllegalArgumentException("tensor " + name + ": shape holds " + n + " elements, got " + values.length + " values");
        return add(name, type, shape, MemorySegment.ofArray(Quantize.quantize(type, values)));
    }

    /** Adds a tensor whose data is already encoded as {@code type}. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] encoded) {
        return addTensor(name, type, shape, MemorySegment.ofArray(encoded));
    }

    /** Adds a tensor whose data is already encoded as {@code type} (e.g. another file's tensor data); the segment must stay readable until {@link #write}. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment encoded) {
        checkShape(name, type, shape);
        long want = GgufTensor.elementCount(shape) / type.blockSize() * type.typeSize();
        if (encoded.byteSize() != want)
            throw new IllegalArgumentException("tensor " + name + ": " + type + " " + java.util.Arrays.toString(shape) + " needs " + want + " bytes, got " + encoded.byteSize());
        return add(name, type, shape, encoded);
    }

    /**
     * Adds a tensor whose {@code type}-encoded bytes {@code encoder} writes when the file is
     * written, in the order tensors were added (see {@link TensorEncoder}).
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorEncoder encoder) {
        checkShape(name, type, shape);
        if (tensorNames.putIfAbsent(name, true) != null) throw new IllegalArgumentException("duplicate tensor name " + name);
        long bytes = GgufTensor.elementCount(shape) / type.blockSize() * type.typeSize();
        tensors.add(new PendingTensor(name, type, shape.clone(), null, bytes, encoder));
        return this;
    }

    /** Copies a tensor (type, shape and bytes) from an open file. */
    public GgufWriter addTensor(GgufTensor t) {
        return addTensor(t.name(), t.type(), t.shape(), t.data());
    }

    private GgufWriter add(String name, GgmlType type, long[] shape, MemorySegment data) {
        if (tensorNames.putIfAbsent(name, true) != null) throw new IllegalArgumentException("duplicate tensor name " + name);
        tensors.add(new PendingTensor(name, type, shape.clone(), data));
        return this;
    }

    private static void checkShape(String name, GgmlType type, long[] shape) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("tensor name must not be empty");
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME_BYTES)
            throw new IllegalArgumentException("tensor name longer than " + MAX_TENSOR_NAME_BYTES + " bytes: " + name);
        if (shape.length == 0 || shape.length > GgufFile.MAX_DIMS)
            throw new IllegalArgumentException("tensor " + name + ": needs 1.." + GgufFile.MAX_DIMS + " dimensions, got " + shape.length);
        for (long d : shape) if (d <= 0) throw new IllegalArgumentException("tensor " + name + ": dimensions must be positive: " + java.util.Arrays.toString(shape));
        if (shape[0] % type.blockSize() != 0)
            throw new IllegalArgumentException("tensor " + name + ": row length " + shape[0] + " is not a multiple of the " + type + " block size " + type.blockSize());
    }

    private int alignmentValue() {
        GgufValue a = metadata.get(GgufFile.ALIGNMENT_KEY);
        return a == null ? GgufFile.DEFAULT_ALIGNMENT : (int) (long) (Long) a.value();
    }

    /** Writes the file (atomically: a temporary file in the same directory, then a rename). */
    public void write(Path path) {
        Path tmp = null;
        try {
            tmp = OutputFiles.temporarySibling(path);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(ch);
            }
            OutputFiles.replace(tmp, path);
        } catch (IOException e) {
            throw new CodellmException("cannot write GGUF file " + path + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
        }
    }

    /** The whole file as bytes (for tests and small models). */
    public byte[] toBytes() {
        var out = new ByteArrayOutputStream();
        try {
            out.write(header());
            long pos = out.size();
            for (PendingTensor t : tensors) {
                if (t.encoder != null) {
                    t.encoder.encode(java.nio.channels.Channels.newChannel(out));
                } else {
                    out.write(t.data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                }
                pos += t.bytes;
                long pad = GgufFile.alignUp(pos, alignmentValue()) - pos;
                out.write(new byte[(int) pad]);
                pos += pad;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private void writeTo(FileChannel ch) throws IOException {
        writeFully(ch, ByteBuffer.wrap(header()));
        long pos = ch.position();
        int align = alignmentValue();
        for (PendingTensor t : tensors) {
            if (t.encoder != null) {
                long before = ch.position();
                t.encoder.encode(ch);
                if (ch.position() - before != t.bytes)
                    throw new IllegalStateException("tensor " + t.name + ": encoder wrote " + (ch.position() - before) + " bytes, " + t.bytes + " expected");
            } else {
                writeFully(ch, t.data.asByteBuffer());
            }
            pos += t.bytes;
            long pad = GgufFile.alignUp(pos, align) - pos;
            writeFully(ch, ByteBuffer.allocate((int) pad));
            pos += pad;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Header, metadata and tensor infos, padded to the alignment (where the data section starts). */
    private byte[] header() {
        LeBytes b = new LeBytes();
        b.u32(GgufFile.MAGIC).u32(version).u64(tensors.size()).u64(metadata.size());
        metadata.forEach((k, v) -> {
            b.string(k).u32(v.type().id());
            value(b, v);
        });
        int align = alignmentValue();
        long offset = 0;
        for (PendingTensor t : tensors) {
            b.string(t.name).u32(t.shape.length);
            for (long d : t.shape) b.u64(d);
            b.u32(t.type.id()).u64(offset);
            offset = GgufFile.alignUp(offset + t.bytes, align);
        }
        b.pad(align);
        return b.toArray();
    }

    private static void value(LeBytes b, GgufValue v) {
        Object o = v.value();
        switch (v.type()) {
            case UINT8, INT8 -> b.u8((Integer) o);
            case UINT16, INT16 -> b.u16((Integer) o);
            case UINT32 -> b.u32((int) (long) (Long) o);
            case INT32 -> b.u32((Integer) o);
            case UINT64, INT64 -> b.u64((Long) o);
            case FLOAT32 -> b.u32(Float.floatToRawIntBits((Float) o));
            case FLOAT64 -> b.u64(Double.doubleToRawLongBits((Double) o));
            case BOOL -> b.u8((Boolean) o ? 1 : 0);
            case STRING -> b.string((String) o);
            case ARRAY -> array(b, v);
        }
    }

    private static void array(LeBytes b, GgufValue v) {
        GgufValueType et = v.elementType();
        b.u32(et.id()).u64(v.length());
        switch (v.value()) {
            case int[] a -> { for (int x : a) value(b, new GgufValue(et, null, x)); }
            case long[] a -> { for (long x : a) value(b, new GgufValue(et, null, x)); }
            case float[] a -> { for (float x : a) b.u32(Float.floatToRawIntBits(x)); }
            case double[] a -> { for (double x : a) b.u64(Double.doubleToRawLongBits(x)); }
            case boolean[] a -> { for (boolean x : a) b.u8(x ? 1 : 0); }
            case List<?> l -> {
                for (Object x : l) {
                    if (x instanceof String s) b.string(s);
                    else array(b, (GgufValue) x);
                }
            }
            default -> throw new IllegalStateException(v.toString());
        }
    }

    /** A growable little-endian byte buffer. */
    private static final class LeBytes {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private ByteBuffer room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            return buf;
        }

        LeBytes u8(int v) { room(1).put((byte) v); return this; }
        LeBytes u16(int v) { room(2).putShort((short) v); return this; }
        LeBytes u32(int v) { room(4).putInt(v); return this; }
        LeBytes u64(long v) { room(8).putLong(v); return this; }

        LeBytes string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            room(b.length).put(b);
            return this;
        }

        void pad(int align) {
            int p = buf.position();
            room((int) (GgufFile.alignUp(p, align) - p)).position((int) GgufFile.alignUp(p, align));
        }

        byte[] toArray() { return java.util.Arrays.copyOf(buf.array(), buf.position()); }
    }
}
