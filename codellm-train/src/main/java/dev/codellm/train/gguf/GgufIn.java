package dev.codellm.train.gguf;

import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the GGUF files the trainer writes (and other F32/F16 GGUFs): metadata and tensors.
 * Corrupt or truncated files fail with a {@link CodellmException} naming the file and the problem.
 */
public final class GgufIn {
    public record TensorInfo(String name, long[] dims, int type, long offset) {
        public long count() { long n = 1; for (long d : dims) n *= d; return n; }
    }

    private final Path path;
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    private final ByteBuffer data;

    private GgufIn(Path path, ByteBuffer file) {
        this.path = path;
        ByteBuffer b = file.order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte[] magic = new byte[4];
            b.get(magic);
            if (!"GGUF".equals(new String(magic, StandardCharsets.US_ASCII))) throw bad("not a GGUF file (bad magic)");
            int version = b.getInt();
            if (version < 2 || version > 3) throw bad("unsupported GGUF version " + version);
            long nTensors = b.getLong(), nKv = b.getLong();
            if (nTensors < 0 || nKv < 0 || nTensors > 1_000_000 || nKv > 1_000_000) throw bad("implausible header counts");
            for (long i = 0; i < nKv; i++) {
                String key = string(b);
                metadata.put(key, value(b, b.getInt()));
            }
            for (long i = 0; i < nTensors; i++) {
                String name = string(b);
                int nd = b.getInt();
                if (nd < 1 || nd > 4) throw bad("tensor " + name + " has " + nd + " dims");
                long[] dims = new long[nd];
                for (int d = 0; d < nd; d++) dims[d] = b.getLong();
                tensors.put(name, new TensorInfo(name, dims, b.getInt(), b.getLong()));
            }
            long alignment = metadata.get("general.alignment") instanceof Number n ? n.longValue() : 32;
            long start = (b.position() + alignment - 1) / alignment * alignment;
            if (start > b.capacity()) {
                if (!tensors.isEmpty()) throw bad("truncated before tensor data");
                start = b.capacity(); // a vocabulary-only file may end right after its header
            }
            data = b.slice((int) start, b.capacity() - (int) start).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorInfo t : tensors.values()) {
                long bytes = t.count() * (t.type == 0 ? 4 : t.type == 1 ? 2 : 0);
                if (t.offset + bytes > data.capacity()) throw bad("tensor " + t.name + " runs past end of file (truncated?)");
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw bad("truncated or corrupt header");
        }
    }

    public static GgufIn read(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) throw new CodellmException(path + ": larger than 2 GiB, not supported by the trainer's reader");
            return new GgufIn(path, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        } catch (NoSuchFileException e) {
            throw new CodellmException("file not found: " + path);
        } catch (IOException e) {
            throw new CodellmException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    public Map<String, Object> metadata() { return metadata; }
    public Map<String, TensorInfo> tensors() { return tensors; }

    public String string(String key) {
        if (!(metadata.get(key) instanceof String s)) throw bad("missing string metadata " + key);
        return s;
    }

    public long integer(String key) {
        if (!(metadata.get(key) instanceof Number n)) throw bad("missing numeric metadata " + key);
        return n.longValue();
    }

    public long integer(String key, long fallback) {
        return metadata.get(key) instanceof Number n ? n.longValue() : fallback;
    }

    public double real(String key, double fallback) {
        return metadata.get(key) instanceof Number n ? n.doubleValue() : fallback;
    }

    @SuppressWarnings("unchecked")
    public List<Object> array(String key) {
        if (!(metadata.get(key) instanceof List<?> l)) throw bad("missing array metadata " + key);
        return (List<Object>) l;
    }

    /** A tensor's values as floats (F32 or F16 storage). */
    public float[] floats(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw bad("missing tensor " + name);
        int n = Math.toIntExact(t.count());
        float[] out = new float[n];
        int off = (int) t.offset;
        switch (t.type) {
            case 0 -> data.slice(off, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            case 1 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.getShort(off + 2 * i)); }
            default -> throw bad("tensor " + name + " has ggml type " + t.type + "; the trainer reads F32/F16 only (dequantize first)");
        }
        return out;
    }

    private CodellmException bad(String msg) { return new CodellmException(path + ": " + msg); }

    private Object value(ByteBuffer b, int type) {
        return switch (type) {
            case 0 -> (long) Byte.toUnsignedInt(b.get());
            case 1 -> (long) b.get();
            case 2 -> (long) Short.toUnsignedInt(b.getShort());
            case 3 -> (long) b.getShort();
            case 4 -> Integer.toUnsignedLong(b.getInt());
            case 5 -> (long) b.getInt();
            case 6 -> (double) b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> string(b);
            case 9 -> {
                int et = b.getInt();
                long n = b.getLong();
                if (n < 0 || n > b.remaining()) throw bad("implausible array length " + n);
                List<Object> l = new ArrayList<>((int) n);
                for (long i = 0; i < n; i++) l.add(value(b, et));
                yield l;
            }
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            default -> throw bad("unknown metadata value type " + type);
        };
    }

    private String string(ByteBuffer b) {
        long n = b.getLong();
        if (n < 0 || n > b.remaining()) throw bad("implausible string length " + n);
        byte[] s = new byte[(int) n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
