package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PyTorch {@code torch.save} file ({@code consolidated.00.pth}, {@code pytorch_model.bin}): a zip
 * whose {@code data.pkl} pickles the state dict and whose {@code data/N} entries hold the raw
 * storages. The pickle is read by a restricted interpreter that knows only the opcodes and the
 * five globals a state dict uses ({@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2}, {@code torch.{Float,Half,BFloat16}Storage}); it builds
 * descriptions, never calls anything, and any other opcode or global is an error naming it. The
 * zip is memory-mapped (its own central-directory reader, ZIP64 included: a 7B checkpoint is
 * 13 GB) and each tensor is a slice of a stored (uncompressed) storage entry.
 */
public final class PthCheckpoint implements AutoCloseable {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final Set<String> GLOBALS = Set.of("collections OrderedDict", "torch._utils _rebuild_tensor_v2", "torch FloatStorage",
            "torch HalfStorage", "torch BFloat16Storage");

    private final Arena arena;
    private final Map<String, Safetensors.Entry> tensors;

    private PthCheckpoint(Arena arena, Map<String, Safetensors.Entry> tensors) {
        this.arena = arena;
        this.tensors = tensors;
    }

    /** Tensors by state-dict name, shape outermost first. */
    public Map<String, Safetensors.Entry> tensors() { return tensors; }

    @Override
    public void close() { arena.close(); }

    public static PthCheckpoint open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            Map<String, MemorySegment> entries = zipEntries(map, file);
            String pkl = entries.keySet().stream().filter(n -> n.endsWith("/data.pkl") || n.equals("data.pkl")).findFirst()
                    .orElseThrow(() -> new CodellmException(file + ": no data.pkl (not a torch.save zip; the legacy non-zip format is not read)"));
            String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());
            Object root = new Unpickler(entries.get(pkl).toArray(ValueLayout.JAVA_BYTE), file).run();
            if (!(root instanceof Map<?, ?> dict)) throw new CodellmException(file + ": the pickle is not a state dict");
            Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef t))
                    throw new CodellmException(file + ": state dict entry " + e.getKey() + " is not a tensor");
                MemorySegment storage = entries.get(prefix + "data/" + t.key);
                if (storage == null) throw new CodellmException(file + ": tensor " + name + " refers to a missing storage data/" + t.key);
                out.put(name, t.entry(name, storage, file));
            }
            return new PthCheckpoint(arena, out);
        } catch (IOException e) {
            arena.close();
            throw new CodellmException("cannot read " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            arena.close();
            if (e instanceof CodellmException) throw e;
            throw new CodellmException(file + ": not a readable PyTorch checkpoint (" + e + ")");
        }
    }

    /** Stored zip entries as slices of the mapping: name → data. */
    static Map<String, MemorySegment> zipEntries(MemorySegment z, Path file) {
        long size = z.byteSize(), eocd = -1;
        for (long p = size - 22; p >= Math.max(0, size - 65557); p--) {
            if (z.get(U32, p) == 0x06054b50) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) throw new CodellmException(file + ": not a zip file (no end of central directory)");
        long count = z.get(U16, eocd + 10) & 0xFFFF, cdOffset = z.get(U32, eocd + 16) & 0xFFFFFFFFL;
        if (eocd >= 20 && z.get(U32, eocd - 20) == 0x07064b50) {  // ZIP64 locator
            long rec = z.get(U64, eocd - 20 + 8);
            if (z.get(U32, rec) != 0x06064b50) throw new CodellmException(file + ": bad ZIP64 end record");
            count = z.get(U64, rec + 32);
            cdOffset = z.get(U64, rec + 48);
        }
        Map<String, MemorySegment> out = new HashMap<>();
        long p = cdOffset;
        for (long i = 0; i < count; i++) {
            if (p < 0 || p + 46 > size || z.get(U32, p) != 0x02014b50) throw new CodellmException(file + ": bad zip central directory");
            int method = z.get(U16, p + 10) & 0xFFFF;
            long csize = z.get(U32, p + 20) & 0xFFFFFFFFL, usize = z.get(U32, p + 24) & 0xFFFFFFFFL;
            int nameLen = z.get(U16, p + 28) & 0xFFFF, extraLen = z.get(U16, p + 30) & 0xFFFF, commentLen = z.get(U16, p + 32) & 0xFFFF;
            long local = z.get(U32, p + 42) & 0xFFFFFFFFL;
            String name = new String(z.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            long x = p + 46 + nameLen, xEnd = x + extraLen;
            while (x + 4 <= xEnd) {  // ZIP64 extra field: the 64-bit values of the fields that overflowed, in order
                int id = z.get(U16, x) & 0xFFFF, len = z.get(U16, x + 2) & 0xFFFF;
                if (id == 1) {
                    long q = x + 4;
                    if (usize == 0xFFFFFFFFL) { usize = z.get(U64, q); q += 8; }
                    if (csize == 0xFFFFFFFFL) { csize = z.get(U64, q); q += 8; }
                    if (local == 0xFFFFFFFFL) local = z.get(U64, q);
                }
                x += 4 + len;
            }
            if (local + 30 > size || z.get(U32, local) != 0x04034b50) throw new CodellmException(file + ": bad zip local header for " + name);
            long data = local + 30 + (z.get(U16, local + 26) & 0xFFFF) + (z.get(U16, local + 28) & 0xFFFF);
            if (data + usize > size || usize < 0)
                throw new CodellmException(file + ": zip entry " + name + " runs past the end of the file (truncated?)");
            if (method != 0 && !name.endsWith("data.pkl") && !name.endsWith("version"))
                throw new CodellmException(file + ": zip entry " + name + " is compressed (torch.save stores them uncompressed)");
            if (method == 0) out.put(name, z.asSlice(data, usize));
            else throw new CodellmException(file + ": zip entry " + name + " is compressed");
            p = xEnd + commentLen;
        }
        return out;
    }

    /** A persistent storage reference: torch's ('storage', class, key, location, numel). */
    record StorageRef(GgmlType type, String key) {}

    /** A tensor as _rebuild_tensor_v2 describes it. */
    record TensorRef(GgmlType type, String key, long offset, long[] size, long[] stride) {
        Safetensors.Entry entry(String name, MemorySegment storage, Path file) {
            long expect = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                if (size[i] != 1 && stride[i] != expect) throw new CodellmException(file + ": tensor " + name + " is not contiguous (stride "
                        + java.util.Arrays.toString(stride) + "): save it with .contiguous()");
                expect *= size[i];
            }
            long elem = type == GgmlType.F32 ? 4 : 2;
            long bytes = expect * elem, start = offset * elem;
            if (start + bytes > storage.byteSize()) throw new CodellmException(file + ": tensor " + name + " runs past its storage");
            return new Safetensors.Entry(name, type, size.clone(), storage.asSlice(start, bytes));
        }
    }

    /** The restricted pickle interpreter: protocol 2 opcodes of a state dict, nothing callable. */
    private static final class Unpickler {
        private static final Object MARK = new Object();
        private final byte[] b;
        private final Path file;
        private int pos;
        private final ArrayDeque<Object> stack = new ArrayDeque<>();
        private final Map<Long, Object> memo = new HashMap<>();

        Unpickler(byte[] b, Path file) {
            this.b = b;
            this.file = file;
        }

        private int u8() { return b[pos++] & 0xFF; }
        private long u32() { long v = (b[pos] & 0xFFL) | (b[pos + 1] & 0xFFL) << 8 | (b[pos + 2] & 0xFFL) << 16 | (b[pos + 3] & 0xFFL) << 24; pos += 4; return v; }
        private String text(int n) { String s = new String(b, pos, n, StandardCharsets.UTF_8); pos += n; return s; }
        private String line() { int e = pos; while (b[e] != '\n') e++; String s = new String(b, pos, e - pos, StandardCharsets.UTF_8); pos = e + 1; return s; }

        private List<Object> popMark() {
            List<Object> items = new ArrayList<>();
            Object o;
            while ((o = stack.pop()) != MARK) items.add(0, o);
            return items;
        }

        Object run() {
            try {
                return interpret();
            } catch (IndexOutOfBoundsException e) {
                throw new CodellmException(file + ": the pickle ends before its STOP opcode (truncated?)");
            } catch (java.util.NoSuchElementException e) {
                throw new CodellmException(file + ": the pickle is malformed (it pops an empty stack at byte " + pos + ")");
            }
        }

        private Object interpret() {
            while (true) {
                int op = u8();
                switch (op) {
                    case 0x80 -> u8();                                   // PROTO
                    case '}' -> stack.push(new LinkedHashMap<Object, Object>());  // EMPTY_DICT
                    case ']' -> stack.push(new ArrayList<Object>());     // EMPTY_LIST
                    case ')' -> stack.push(List.of());                   // EMPTY_TUPLE
                    case '(' -> stack.push(MARK);
                    case 'X' -> stack.push(text((int) u32()));           // BINUNICODE
                    case 0x8c -> stack.push(text(u8()));                 // SHORT_BINUNICODE
                    case 'q' -> memo.put((long) u8(), stack.peek());     // BINPUT
                    case 'r' -> memo.put(u32(), stack.peek());           // LONG_BINPUT
                    case 'h' -> stack.push(memo.get((long) u8()));       // BINGET
                    case 'j' -> stack.push(memo.get(u32()));             // LONG_BINGET
                    case 'K' -> stack.push((long) u8());                 // BININT1
                    case 'M' -> { long v = u8() | (long) u8() << 8; stack.push(v); }  // BININT2
                    case 'J' -> stack.push((long) (int) u32());          // BININT
                    case 0x8a -> {                                       // LONG1
                        int n = u8();
                        long v = 0;
                        for (int i = 0; i < n; i++) v |= (b[pos + i] & 0xFFL) << (8 * i);
                        if (n > 0 && n < 8 && (b[pos + n - 1] & 0x80) != 0) v -= 1L << (8 * n);
                        pos += n;
                        stack.push(v);
                    }
                    case 0x88 -> stack.push(Boolean.TRUE);
                    case 0x89 -> stack.push(Boolean.FALSE);
                    case 'N' -> stack.push(NONE);
                    case 't' -> stack.push(List.copyOf(popMark().stream().map(o -> o == NONE ? "None" : o).toList()));
                    case 0x85 -> stack.push(List.of(stack.pop()));
                    case 0x86 -> { Object y = stack.pop(), x = stack.pop(); stack.push(List.of(x, y)); }
                    case 0x87 -> { Object z = stack.pop(), y = stack.pop(), x = stack.pop(); stack.push(List.of(x, y, z)); }
                    case 'c' -> {                                        // GLOBAL: only the state-dict ones
                        String g = line() + " " + line();
                        if (!GLOBALS.contains(g)) throw new CodellmException(file + ": the pickle names " + g.replace(' ', '.')
                                + ", which a state dict does not use: refusing to read it (only tensors are read, nothing is executed)");
                        stack.push(new Global(g));
                    }
                    case 'Q' -> stack.push(persistent(stack.pop()));     // BINPERSID
                    case 'R' -> { Object args = stack.pop(); stack.push(reduce(stack.pop(), args)); }
                    case 'b' -> stack.pop();                             // BUILD: tensor/OrderedDict state, ignored
                    case 's' -> { Object v = stack.pop(), k = stack.pop(); dict(stack.peek()).put(k, v); }
                    case 'u' -> {
                        List<Object> items = popMark();
                        Map<Object, Object> d = dict(stack.peek());
                        for (int i = 0; i + 1 < items.size(); i += 2) d.put(items.get(i), items.get(i + 1));
                    }
                    case '.' -> { return stack.pop(); }
                    default -> throw new CodellmException(file + ": pickle opcode 0x" + Integer.toHexString(op)
                            + " is not one a state dict uses: refusing to read it");
                }
            }
        }

        private static final Object NONE = new Object();

        record Global(String name) {}

        @SuppressWarnings("unchecked")
        private Map<Object, Object> dict(Object o) {
            if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
            throw new CodellmException(file + ": pickle sets items on something that is not a dict");
        }

        private Object persistent(Object pid) {
            if (pid instanceof List<?> l && l.size() == 5 && "storage".equals(l.get(0)) && l.get(1) instanceof Global g) {
                GgmlType t = switch (g.name()) {
                    case "torch FloatStorage" -> GgmlType.F32;
                    case "torch HalfStorage" -> GgmlType.F16;
                    case "torch BFloat16Storage" -> GgmlType.BF16;
                    default -> throw new CodellmException(file + ": storage type " + g.name() + " is not supported (F32, F16, BF16)");
                };
                return new StorageRef(t, String.valueOf(l.get(2)));
            }
            throw new CodellmException(file + ": unexpected persistent id " + pid);
        }

        private Object reduce(Object f, Object args) {
            if (!(f instanceof Global g) || !(args instanceof List<?> a)) throw new CodellmException(file + ": pickle calls something that is not allowed");
            switch (g.name()) {
                case "collections OrderedDict" -> { return new LinkedHashMap<Object, Object>(); }
                case "torch._utils _rebuild_tensor_v2" -> {
                    if (a.size() < 4 || !(a.get(0) instanceof StorageRef s)) throw new CodellmException(file + ": malformed tensor in the pickle");
                    return new TensorRef(s.type(), s.key(), (Long) a.get(1), longs(a.get(2)), longs(a.get(3)));
                }
                default -> throw new CodellmException(file + ": pickle calls " + g.name().replace(' ', '.') + ": not allowed");
            }
        }

        private static long[] longs(Object o) {
            List<?> l = (List<?>) o;
            long[] r = new long[l.size()];
            for (int i = 0; i < r.length; i++) r[i] = (Long) l.get(i);
            return r;
        }
    }
}
