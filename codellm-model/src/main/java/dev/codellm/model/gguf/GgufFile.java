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

    GgufFile(Path path, Arena arena, MemorySegment mapping, int version, Map<String, GgufValue> entries,
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
        if (Files.isDirectory(path)) throw new CodellmException(path + " is a directory, not a GGUF file");
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
            return GgufParser.parse(path, arena, seg);
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
        return GgufParser.parse(label, null, seg);
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
