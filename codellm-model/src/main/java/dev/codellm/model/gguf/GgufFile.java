package dev.codellm.model.gguf;

import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF v2/v3 file, memory-mapped read-only. Metadata is parsed eagerly (and validated); tensor
 * data stays in the mapping and is handed out as {@link MemorySegment} slices, so weights are
 * never copied onto the heap. The mapping lives in a shared arena: segments may be read from any
 * thread until {@link #close()}, after which touching them throws {@link IllegalStateException}.
 *
 * <p>Metadata values are Java objects as documented on {@link GgufValue}: int-sized integers are
 * Integer, UINT32/INT64/UINT64 are Long, arrays are primitive arrays or lists. Prefer the typed
 * getters, which convert between integer widths and name the key and file when something is wrong.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as little-endian u32
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml's GGML_MAX_DIMS. */
    public static final int MAX_DIMS = 4;
    private static final int MAX_NESTING = 8;
    /** Caps that keep corrupt counts from turning into huge allocations (real files are far below). */
    static final long MAX_TENSORS = 1 << 20;
    static final long MAX_ARRAY_LENGTH = 1 << 25;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final Map<String, GgufValue> entries;
    private final Map<String, Object> metadata;
    private final List<GgufTensor> tensors;
    private final Map<String, GgufTensor> tensorsByName;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, int version, Map<String, GgufValue> entries,
                     List<GgufTensor> tensors, int alignment, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = version;
        this.entries = Collections.unmodifiableMap(entries);
        Map<String, Object> plain = new LinkedHashMap<>();
        entries.forEach((k, v) -> plain.put(k, v.plain()));
        this.metadata = Collections.unmodifiableMap(plain);
        this.tensors = List.copyOf(tensors);
        Map<String, GgufTensor> byName = new LinkedHashMap<>();
        for (GgufTensor t : tensors) byName.put(t.name(), t);
        this.tensorsByName = Collections.unmodifiableMap(byName);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /**
     * Maps and parses {@code path}. Throws {@link GgufFormatException} (naming file and byte
     * offset) when the file is not valid GGUF, {@link CodellmException} when it cannot be read.
     */
    public static GgufFile open(Path path) {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new CodellmException("GGUF file not found: " + path);
        } catch (IOException e) {
            throw new CodellmException("cannot read GGUF file " + path + ": " + e.getMessage(), e);
        }
        if (size == 0) throw new GgufFormatException(path, 0, "empty file");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(path, arena, seg);
        } catch (IOException e) {
            arena.close();
            throw new CodellmException("cannot map GGUF file " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses GGUF bytes already in memory (e.g. a model built by {@link GgufWriter#toBytes()}).
     * The caller owns {@code seg}; {@link #close()} leaves it alone. {@code label} names the
     * source in error messages.
     */
    public static GgufFile read(MemorySegment seg, Path label) {
        if (seg.byteSize() == 0) throw new GgufFormatException(label, 0, "empty file");
        return parse(label, null, seg);
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment seg) {
        GgufCursor c = new GgufCursor(seg, path);
        int magic = c.u32("magic");
        if (magic != MAGIC)
            throw c.error(0, String.format("not a GGUF file (magic 0x%08x, expected \"GGUF\")", magic));
        int version = c.u32("version");
        if (version == 1) throw c.error(4, "GGUF version 1 is not supported (only v2 and v3)");
        if (version != 2 && version != 3)
            throw c.error(4, "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + (Integer.reverseBytes(version) <= 3 ? " (big-endian file?)" : "") + "; only v2 and v3 are read");
        long tensorCount = c.count("tensor count", 24);
        long kvCount = c.count("metadata entry count", 12);

        Map<String, GgufValue> entries = new LinkedHashMap<>();
        long alignmentAt = -1;
        for (long i = 0; i < kvCount; i++) {
            long at = c.pos();
            String key = c.string("metadata key");
            long typeAt = c.pos();
            if (key.equals(ALIGNMENT_KEY)) alignmentAt = typeAt;
            GgufValueType type = valueType(c, c.u32("metadata value type"), typeAt, key);
            GgufValue v = readValue(c, type, key, 0);
            if (entries.putIfAbsent(key, v) != null) throw c.error(at, "duplicate metadata key '" + key + "'");
        }
        int alignment = alignment(c, entries.get(ALIGNMENT_KEY), alignmentAt);

        record Info(String name, GgmlType type, long[] shape, long offset, long offsetAt) {}
        if (tensorCount > MAX_TENSORS) throw c.error(8, "absurd tensor count " + tensorCount + " (max " + MAX_TENSORS + ")");
        List<Info> infos = new java.util.ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = c.string("tensor name");
            long dimsAt = c.pos();
            int nDims = c.u32("tensor dimension count");
            if (nDims < 0 || nDims > MAX_DIMS)
                throw c.error(dimsAt, "tensor '" + name + "' has " + Integer.toUnsignedString(nDims) + " dimensions (max " + MAX_DIMS + ")");
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dimAt = c.pos();
                shape[d] = c.u64("tensor dimension");
                if (shape[d] < 0 || (shape[d] > 0 && elements > Long.MAX_VALUE / shape[d]))
                    throw c.error(dimAt, "tensor '" + name + "' dimension " + d + " = " + Long.toUnsignedString(shape[d]) + " is absurd");
                elements *= shape[d];
            }
            long typeAt = c.pos();
            int typeId = c.u32("tensor type");
            GgmlType type = GgmlType.fromId(Integer.toUnsignedLong(typeId));
            if (type == null)
                throw c.error(typeAt, "tensor '" + name + "' has unknown or unsupported ggml type " + Integer.toUnsignedString(typeId));
            long rowLength = nDims == 0 ? 1 : shape[0];
            if (rowLength % type.blockSize() != 0)
                throw c.error(dimsAt, "tensor '" + name + "' row length " + rowLength + " is not a multiple of the " + type + " block size " + type.blockSize());
            long offsetAt = c.pos();
            long offset = c.u64("tensor data offset");
            infos.add(new Info(name, type, shape, offset, offsetAt));
        }
        long dataOffset = alignUp(c.pos(), alignment);

        List<GgufTensor> tensors = new java.util.ArrayList<>(infos.size());
        java.util.Set<String> names = new java.util.HashSet<>();
        long fileSize = seg.byteSize();
        for (Info info : infos) {
            if (!names.add(info.name)) throw c.error(info.offsetAt, "duplicate tensor name '" + info.name + "'");
            long elements = GgufTensor.elementCount(info.shape);
            long bytes = elements / info.type.blockSize() * info.type.typeSize();
            if (elements / info.type.blockSize() > Long.MAX_VALUE / info.type.typeSize())
                throw c.error(info.offsetAt, "tensor '" + info.name + "' is absurdly large");
            if (info.offset < 0 || info.offset % alignment != 0)
                throw c.error(info.offsetAt, "tensor '" + info.name + "' data offset " + Long.toUnsignedString(info.offset)
                        + " is not a multiple of the alignment " + alignment);
            if (info.offset > fileSize - dataOffset || bytes > fileSize - dataOffset - info.offset)
                throw c.error(info.offsetAt, "tensor '" + info.name + "' data (" + bytes + " bytes at data offset " + info.offset
                        + ") runs past the end of the file (" + fileSize + " bytes, data section starts at " + dataOffset + ")");
            MemorySegment data = seg.asSlice(dataOffset + info.offset, bytes).asReadOnly();
            tensors.add(new GgufTensor(info.name, info.type, info.shape, info.offset, data));
        }
        return new GgufFile(path, arena, seg, version, entries, tensors, alignment, dataOffset);
    }

    private static GgufValueType valueType(GgufCursor c, int id, long at, String key) {
        GgufValueType t = GgufValueType.fromId(Integer.toUnsignedLong(id));
        if (t == null) throw c.error(at, "unknown metadata value type " + Integer.toUnsignedString(id) + " for key '" + key + "'");
        return t;
    }

    private static GgufValue readValue(GgufCursor c, GgufValueType type, String key, int depth) {
        String what = "value of '" + key + "'";
        return switch (type) {
            case UINT8 -> new GgufValue(type, null, c.u8(what));
            case INT8 -> new GgufValue(type, null, (int) (byte) c.u8(what));
            case UINT16 -> new GgufValue(type, null, c.u16(what) & 0xFFFF);
            case INT16 -> new GgufValue(type, null, (int) c.u16(what));
            case UINT32 -> new GgufValue(type, null, Integer.toUnsignedLong(c.u32(what)));
            case INT32 -> new GgufValue(type, null, c.u32(what));
            case UINT64, INT64 -> new GgufValue(type, null, c.u64(what));
            case FLOAT32 -> new GgufValue(type, null, c.f32(what));
            case FLOAT64 -> new GgufValue(type, null, c.f64(what));
            case BOOL -> {
                long at = c.pos();
                int b = c.u8(what);
                if (b > 1) throw c.error(at, "bool " + what + " is " + b + " (must be 0 or 1)");
                yield new GgufValue(type, null, b == 1);
            }
            case STRING -> new GgufValue(type, null, c.string(what));
            case ARRAY -> readArray(c, key, depth);
        };
    }

    private static GgufValue readArray(GgufCursor c, String key, int depth) {
        long typeAt = c.pos();
        if (depth >= MAX_NESTING) throw c.error(typeAt, "arrays nested more than " + MAX_NESTING + " deep in '" + key + "'");
        GgufValueType et = valueType(c, c.u32("array element type"), typeAt, key);
        long countAt = c.pos();
        long n = c.count("array length of '" + key + "'", et.minBytes());
        if (n > MAX_ARRAY_LENGTH) throw c.error(countAt, "array length " + n + " of '" + key + "' exceeds the limit " + MAX_ARRAY_LENGTH);
        int len = (int) n;
        String what = "array '" + key + "'";
        Object value = switch (et) {
            case UINT8, INT8 -> {
                byte[] b = c.bytes(len, what);
                int[] a = new int[len];
                for (int i = 0; i < len; i++) a[i] = et == GgufValueType.UINT8 ? b[i] & 0xFF : b[i];
                yield a;
            }
            case UINT16, INT16 -> {
                short[] b = c.u16s(len, what);
                int[] a = new int[len];
                for (int i = 0; i < len; i++) a[i] = et == GgufValueType.UINT16 ? b[i] & 0xFFFF : b[i];
                yield a;
            }
            case INT32 -> c.i32s(len, what);
            case UINT32 -> {
                int[] b = c.i32s(len, what);
                long[] a = new long[len];
                for (int i = 0; i < len; i++) a[i] = Integer.toUnsignedLong(b[i]);
                yield a;
            }
            case UINT64, INT64 -> c.u64s(len, what);
            case FLOAT32 -> c.f32s(len, what);
            case FLOAT64 -> c.f64s(len, what);
            case BOOL -> {
                long at = c.pos();
                byte[] b = c.bytes(len, what);
                boolean[] a = new boolean[len];
                for (int i = 0; i < len; i++) {
                    if ((b[i] & 0xFF) > 1) throw c.error(at + i, "bool in " + what + " is " + (b[i] & 0xFF) + " (must be 0 or 1)");
                    a[i] = b[i] == 1;
                }
                yield a;
            }
            case STRING -> {
                // Token lists are large: check the lengths now, decode each string on first use.
                long[] starts = new long[len];
                int[] lengths = new int[len];
                String item = "string in " + what;
                for (int i = 0; i < len; i++) {
                    starts[i] = c.skipString(item);
                    lengths[i] = c.lastLength();
                }
                yield new LazyStrings(c.segment(), starts, lengths);
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[len];
                for (int i = 0; i < len; i++) a[i] = readArray(c, key, depth + 1);
                yield List.of(a);
            }
        };
        return new GgufValue(GgufValueType.ARRAY, et, value);
    }

    private static int alignment(GgufCursor c, GgufValue v, long at) {
        if (v == null) return DEFAULT_ALIGNMENT;
        if (v.type() != GgufValueType.UINT32)
            throw c.error(at, ALIGNMENT_KEY + " must be UINT32, is " + v.typeName());
        long a = (Long) v.value();
        if (a == 0 || Long.bitCount(a) != 1 || a > (1 << 30))
            throw c.error(at, ALIGNMENT_KEY + " = " + a + " is not a power of two (up to 2^30)");
        return (int) a;
    }

    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    // ---- file facts ----

    public Path path() { return path; }
    public int version() { return version; }
    public int alignment() { return alignment; }
    /** Absolute file offset where the tensor data section starts. */
    public long dataOffset() { return dataOffset; }
    public long fileSize() { return mapping.byteSize(); }

    // ---- metadata ----

    /** All metadata in file order, values as documented on {@link GgufValue} (nested arrays as lists). */
    public Map<String, Object> metadata() { return metadata; }

    /** All metadata in file order, with types. */
    public Map<String, GgufValue> entries() { return entries; }

    /** The typed value of {@code key}, if present. */
    public Optional<GgufValue> entry(String key) { return Optional.ofNullable(entries.get(key)); }

    public boolean has(String key) { return entries.containsKey(key); }

    private GgufValue require(String key) {
        GgufValue v = entries.get(key);
        if (v == null) throw new CodellmException("GGUF file " + path + " has no metadata key '" + key + "'");
        return v;
    }

    private CodellmException wrongType(String key, GgufValue v, String wanted) {
        return new CodellmException("GGUF file " + path + ": metadata key '" + key + "' is " + v.typeName() + ", not " + wanted);
    }

    public String getString(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof String s) return s;
        throw wrongType(key, v, "a string");
    }

    /** Any integer type; UINT64 values above Long.MAX_VALUE come back as their raw (negative) bits. */
    public long getLong(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof Integer i) return i;
        if (v.value() instanceof Long l) return l;
        throw wrongType(key, v, "an integer");
    }

    public int getInt(String key) {
        GgufValue v = require(key);
        long l = getLong(key);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE || (v.type() == GgufValueType.UINT64 && l < 0))
            throw new CodellmException("GGUF file " + path + ": metadata key '" + key + "' = "
                    + (v.type() == GgufValueType.UINT64 ? Long.toUnsignedString(l) : l) + " does not fit an int");
        return (int) l;
    }

    /** FLOAT32 or FLOAT64 (narrowed); integers are accepted too. */
    public float getFloat(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof Number n && v.type() != GgufValueType.UINT64) return n.floatValue();
        throw wrongType(key, v, "a number");
    }

    public double getDouble(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof Number n && v.type() != GgufValueType.UINT64) return n.doubleValue();
        throw wrongType(key, v, "a number");
    }

    public boolean getBoolean(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof Boolean b) return b;
        throw wrongType(key, v, "a bool");
    }

    public String optString(String key, String dflt) { return has(key) ? getString(key) : dflt; }
    public long optLong(String key, long dflt) { return has(key) ? getLong(key) : dflt; }
    public int optInt(String key, int dflt) { return has(key) ? getInt(key) : dflt; }
    public float optFloat(String key, float dflt) { return has(key) ? getFloat(key) : dflt; }
    public boolean optBoolean(String key, boolean dflt) { return has(key) ? getBoolean(key) : dflt; }

    /** An ARRAY[STRING] value (e.g. {@code tokenizer.ggml.tokens}). */
    public String[] getStringArray(String key) {
        GgufValue v = require(key);
        if (v.elementType() == GgufValueType.STRING) return ((List<?>) v.value()).toArray(new String[0]);
        throw wrongType(key, v, "an array of strings");
    }

    /** An ARRAY of FLOAT32 (or FLOAT64, narrowed) as a fresh float[]. */
    public float[] getFloatArray(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof float[] a) return a.clone();
        if (v.value() instanceof double[] a) {
            float[] f = new float[a.length];
            for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
            return f;
        }
        throw wrongType(key, v, "an array of floats");
    }

    /** An ARRAY of any integer type whose values fit an int, as a fresh int[]. */
    public int[] getIntArray(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof int[] a) return a.clone();
        if (v.value() instanceof long[] a) {
            int[] r = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                if (a[i] < Integer.MIN_VALUE || a[i] > Integer.MAX_VALUE)
                    throw new CodellmException("GGUF file " + path + ": metadata key '" + key + "' element " + i + " = " + a[i] + " does not fit an int");
                r[i] = (int) a[i];
            }
            return r;
        }
        throw wrongType(key, v, "an array of integers");
    }

    /** {@code general.architecture}, e.g. "llama" (null when absent). */
    public String architecture() { return optString("general.architecture", null); }

    // ---- tensors ----

    /** Tensors in file order. */
    public List<GgufTensor> tensors() { return tensors; }

    /** The tensor called {@code name}, or a {@link CodellmException} naming the file and the tensor. */
    public GgufTensor tensor(String name) {
        GgufTensor t = tensorsByName.get(name);
        if (t == null) throw new CodellmException("GGUF file " + path + " has no tensor '" + name + "' (" + tensors.size() + " tensors)");
        return t;
    }

    public Optional<GgufTensor> findTensor(String name) { return Optional.ofNullable(tensorsByName.get(name)); }

    /** Unmaps the file; tensor segments handed out before become unusable. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            // Strings still undecoded live in the mapping: decode them before it goes away.
            for (GgufValue v : entries.values()) materialize(v);
            arena.close();
        }
    }

    private static void materialize(GgufValue v) {
        if (v.value() instanceof LazyStrings l) l.decodeAll();
        else if (v.elementType() == GgufValueType.ARRAY) for (Object o : (List<?>) v.value()) materialize((GgufValue) o);
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + entries.size() + " keys, " + tensors.size() + " tensors]";
    }
}
