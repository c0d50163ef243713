package dev.codellm.train.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files (F32 tensors) the way llama.cpp's gguf library lays them out: header,
 * key/values, tensor infos, then 32-byte aligned data. Files are written to a temporary sibling
 * and atomically renamed, so a kill -9 mid-write never leaves a torn checkpoint.
 *
 * <p>The trainer's own small writer: it only needs F32 and the value types it emits.
 */
public final class GgufOut {
    static final int ALIGNMENT = 32;
    static final int T_UINT32 = 4, T_INT32 = 5, T_FLOAT32 = 6, T_BOOL = 7, T_STRING = 8, T_ARRAY = 9, T_UINT64 = 10;

    private record Kv(int type, Object value, int elemType) {}
    private record Tensor(String name, long[] dims, float[] data) {}

    private final Map<String, Kv> kvs = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufOut putString(String key, String v) { kvs.put(key, new Kv(T_STRING, v, 0)); return this; }
    public GgufOut putU32(String key, int v) { kvs.put(key, new Kv(T_UINT32, v, 0)); return this; }
    public GgufOut putI32(String key, int v) { kvs.put(key, new Kv(T_INT32, v, 0)); return this; }
    public GgufOut putU64(String key, long v) { kvs.put(key, new Kv(T_UINT64, v, 0)); return this; }
    public GgufOut putF32(String key, float v) { kvs.put(key, new Kv(T_FLOAT32, v, 0)); return this; }
    public GgufOut putBool(String key, boolean v) { kvs.put(key, new Kv(T_BOOL, v, 0)); return this; }
    public GgufOut putStrings(String key, List<String> v) { kvs.put(key, new Kv(T_ARRAY, List.copyOf(v), T_STRING)); return this; }
    public GgufOut putI32s(String key, int[] v) { kvs.put(key, new Kv(T_ARRAY, v.clone(), T_INT32)); return this; }
    public GgufOut putF32s(String key, float[] v) { kvs.put(key, new Kv(T_ARRAY, v.clone(), T_FLOAT32)); return this; }

    /** Adds an F32 tensor; dims in GGUF order (ne[0], the contiguous one, first). */
    public GgufOut addTensor(String name, long[] dims, float[] data) {
        long n = 1;
        for (long d : dims) n *= d;
        if (n != data.length) throw new IllegalArgumentException(name + ": dims hold " + n + " values, data " + data.length);
        tensors.add(new Tensor(name, dims.clone(), data));
        return this;
    }

    /** Writes to path atomically (temporary sibling + rename). */
    public void write(Path path) throws IOException {
        Path abs = path.toAbsolutePath();
        if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try (java.nio.channels.FileChannel fc = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
             Out out = new Out(new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(fc), 1 << 20))) {
            out.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
            out.u32(3);
            out.u64(tensors.size());
            out.u64(kvs.size());
            for (var e : kvs.entrySet()) {
                out.string(e.getKey());
                Kv kv = e.getValue();
                out.u32(kv.type);
                if (kv.type == T_ARRAY) writeArray(out, kv);
                else writeScalar(out, kv.type, kv.value);
            }
            long offset = 0;
            for (Tensor t : tensors) {
                out.string(t.name);
                out.u32(t.dims.length);
                for (long d : t.dims) out.u64(d);
                out.u32(0); // GGML_TYPE_F32
                out.u64(offset);
                offset = align(offset + 4L * t.data.length);
            }
            out.pad();
            for (Tensor t : tensors) {
                ByteBuffer bb = ByteBuffer.allocate(4 * t.data.length).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(t.data);
                out.bytes(bb.array());
                out.pad();
            }
            out.flush();
            // no fsync: the rename already makes a kill -9 safe, and a sync per checkpoint costs
            // seconds on a busy disk; power-loss durability is left to the filesystem
        }
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeScalar(Out out, int type, Object v) throws IOException {
        switch (type) {
            case T_STRING -> out.string((String) v);
            case T_UINT32, T_INT32 -> out.u32((Integer) v);
            case T_UINT64 -> out.u64((Long) v);
            case T_FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) v));
            case T_BOOL -> out.u8((Boolean) v ? 1 : 0);
            default -> throw new IllegalStateException("type " + type);
        }
    }

    private static void writeArray(Out out, Kv kv) throws IOException {
        out.u32(kv.elemType);
        switch (kv.value) {
            case List<?> l -> { out.u64(l.size()); for (Object s : l) out.string((String) s); }
            case int[] a -> { out.u64(a.length); for (int x : a) out.u32(x); }
            case float[] a -> { out.u64(a.length); for (float x : a) out.u32(Float.floatToRawIntBits(x)); }
            default -> throw new IllegalStateException("array " + kv.value.getClass());
        }
    }

    static long align(long n) { return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }

    /** Little-endian stream that tracks its position for alignment padding. */
    private static final class Out extends java.io.FilterOutputStream {
        private long pos;
        private final byte[] buf = new byte[8];
        Out(OutputStream o) { super(o); }
        void bytes(byte[] b) throws IOException { out.write(b); pos += b.length; }
        void u8(int v) throws IOException { out.write(v); pos++; }
        void u32(int v) throws IOException { ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v); out.write(buf, 0, 4); pos += 4; }
        void u64(long v) throws IOException { ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v); out.write(buf, 0, 8); pos += 8; }
        void string(String s) throws IOException { byte[] b = s.getBytes(StandardCharsets.UTF_8); u64(b.length); bytes(b); }
        void pad() throws IOException { while (pos % ALIGNMENT != 0) u8(0); }
    }
}
