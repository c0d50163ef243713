package dev.codellm.model.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates the GGUF header, metadata and tensor infos (spec: ggml docs/gguf.md).
 * Every count is checked against the bytes left before anything is allocated for it, and every
 * problem becomes a {@link GgufFormatException} with the byte offset where it was found.
 */
final class GgufParser {
    private GgufParser() {}

    private static final int MAX_NESTING = 8;
    /** Caps that keep corrupt counts from turning into huge allocations (real files are far below). */
    static final long MAX_TENSORS = 1 << 20;
    static final long MAX_ARRAY_LENGTH = 1 << 25;

    static GgufFile parse(Path path, Arena arena, MemorySegment seg) {
        GgufCursor c = new GgufCursor(seg, path);
        int magic = c.u32("magic");
        if (magic != GgufFile.MAGIC)
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
            if (key.equals(GgufFile.ALIGNMENT_KEY)) alignmentAt = typeAt;
            GgufValueType type = valueType(c, c.u32("metadata value type"), typeAt, key);
            GgufValue v = readValue(c, type, key, 0);
            if (entries.putIfAbsent(key, v) != null) throw c.error(at, "duplicate metadata key '" + key + "'");
        }
        int alignment = alignment(c, entries.get(GgufFile.ALIGNMENT_KEY), alignmentAt);

        record Info(String name, GgmlType type, long[] shape, long offset, long offsetAt) {}
        if (tensorCount > MAX_TENSORS) throw c.error(8, "absurd tensor count " + tensorCount + " (max " + MAX_TENSORS + ")");
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            long nameAt = c.pos();
            String name = c.string("tensor name");
            if (name.isBlank()) throw c.error(nameAt, "tensor #" + i + " has no name");
            long dimsAt = c.pos();
            int nDims = c.u32("tensor dimension count");
            if (nDims < 0 || nDims > GgufFile.MAX_DIMS)
                throw c.error(dimsAt, "tensor '" + name + "' has " + Integer.toUnsignedString(nDims) + " dimensions (max " + GgufFile.MAX_DIMS + ")");
            if (nDims == 0) throw c.error(dimsAt, "tensor '" + name + "' has no dimensions");
            long[] shape = new long[nDims];
            long[] dimAts = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dimAts[d] = c.pos();
                shape[d] = c.u64("tensor dimension");
                if (shape[d] == 0) throw c.error(dimAts[d], "tensor '" + name + "' dimension " + d + " is 0 (an empty tensor)");
                int blame = d;
                // The product overflowing at d need not be d's fault: name the largest dimension so far.
                for (int e = 0; e < d; e++) if (Long.compareUnsigned(shape[e], shape[blame]) > 0) blame = e;
                if (shape[d] < 0 || elements > Long.MAX_VALUE / shape[d])
                    throw c.error(dimAts[blame], "tensor '" + name + "' dimension " + blame + " = " + Long.toUnsignedString(shape[blame]) + " is absurd");
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
        long dataOffset = GgufFile.alignUp(c.pos(), alignment);

        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        Set<String> names = new HashSet<>();
        long fileSize = seg.byteSize();
        long expectedOffset = 0;
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
            // As llama.cpp requires: tensors packed in order, each at the padded end of the one before.
            // Anything else is data shared by two tensors, or a type or shape that does not match the bytes.
            if (info.offset != expectedOffset) {
                throw c.error(info.offsetAt, "tensor '" + info.name + "' data offset " + info.offset + ", expected " + expectedOffset
                        + (info.offset < expectedOffset ? ": it overlaps the data of the tensor before it" : ": a gap after the tensor before it")
                        + " (a tensor's type or shape does not match its data)");
            }
            expectedOffset = GgufFile.alignUp(info.offset + bytes, alignment);
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
        if (v == null) return GgufFile.DEFAULT_ALIGNMENT;
        if (v.type() != GgufValueType.UINT32)
            throw c.error(at, GgufFile.ALIGNMENT_KEY + " must be UINT32, is " + v.typeName());
        long a = (Long) v.value();
        if (a == 0 || Long.bitCount(a) != 1 || a > (1 << 30))
            throw c.error(at, GgufFile.ALIGNMENT_KEY + " = " + a + " is not a power of two (up to 2^30)");
        return (int) a;
    }

}
