package dev.codellm.model.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * Bounds-checked little-endian reads from a mapped GGUF file. Every read that would pass the end
 * of the file throws {@link GgufFormatException} naming the offset, so corrupt input never reaches
 * an out-of-bounds access or a huge allocation.
 */
final class GgufCursor {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Longest metadata string accepted (token texts and chat templates are far below this). */
    static final long MAX_STRING = 1L << 26;

    private final MemorySegment seg;
    private final Path file;
    private long pos;

    GgufCursor(MemorySegment seg, Path file) {
        this.seg = seg;
        this.file = file;
    }

    long pos() { return pos; }
    long size() { return seg.byteSize(); }
    long remaining() { return seg.byteSize() - pos; }

    GgufFormatException error(long at, String problem) { return new GgufFormatException(file, at, problem); }

    private void need(long n, String what) {
        if (n < 0 || n > remaining())
            throw error(pos, "file ends inside " + what + " (needs " + n + " bytes, " + remaining() + " left)");
    }

    /** Checks that {@code n} more bytes exist, moves past them and returns where they start. */
    private long advance(long n, String what) {
        need(n, what);
        long at = pos;
        pos += n;
        return at;
    }

    int u8(String what) { return seg.get(ValueLayout.JAVA_BYTE, advance(1, what)) & 0xFF; }

    short u16(String what) { return seg.get(U16, advance(2, what)); }

    int u32(String what) { return seg.get(U32, advance(4, what)); }

    long u64(String what) { return seg.get(U64, advance(8, what)); }

    float f32(String what) { return seg.get(F32, advance(4, what)); }

    double f64(String what) { return seg.get(F64, advance(8, what)); }

    /** A u64 count that must be non-negative and leave room for {@code count * minBytesEach} more bytes. */
    long count(String what, long minBytesEach) {
        long at = pos;
        long n = u64(what);
        if (n < 0 || (minBytesEach > 0 && n > remaining() / minBytesEach))
            throw error(at, "absurd " + what + " " + Long.toUnsignedString(n) + " (only " + remaining() + " bytes left in the file)");
        return n;
    }

    /** Bulk little-endian reads of {@code n} values ({@code n} already bounded by {@link #count}). */
    int[] i32s(int n, String what) { return bulk(n, U32, what, int[]::new); }

    long[] u64s(int n, String what) { return bulk(n, U64, what, long[]::new); }

    float[] f32s(int n, String what) { return bulk(n, F32, what, float[]::new); }

    double[] f64s(int n, String what) { return bulk(n, F64, what, double[]::new); }

    short[] u16s(int n, String what) { return bulk(n, U16, what, short[]::new); }

    byte[] bytes(int n, String what) { return bulk(n, ValueLayout.JAVA_BYTE, what, byte[]::new); }

    /** Checks that {@code n} values of {@code layout} remain before allocating, then copies them into a new array. */
    private <A> A bulk(int n, ValueLayout layout, String what, IntFunction<A> newArray) {
        long at = advance(layout.byteSize() * n, what);
        A a = newArray.apply(n);
        MemorySegment.copy(seg, layout, at, a, 0, n);
        return a;
    }

    /** Skips over a string, checking its length; returns the offset of its bytes (length via {@link #lastLength()}). */
    long skipString(String what) {
        long at = pos;
        long len = remaining() >= 8 ? seg.get(U64, pos) : -1;
        if (len < 0 || len > remaining() - 8) len = count(what + " length", 1); // throws with the full message
        else pos += 8;
        if (len > MAX_STRING) throw error(at, what + " length " + len + " exceeds the " + MAX_STRING + "-byte limit");
        lastLength = (int) len;
        long start = pos;
        pos += len;
        return start;
    }

    private int lastLength;

    int lastLength() { return lastLength; }

    MemorySegment segment() { return seg; }

    static String decode(MemorySegment seg, long start, int len) {
        byte[] b = new byte[len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, start, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    String string(String what) {
        long at = pos;
        long len = count(what + " length", 1);
        if (len > MAX_STRING) throw error(at, what + " length " + len + " exceeds the " + MAX_STRING + "-byte limit");
        byte[] b = new byte[(int) len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, b.length);
        pos += len;
        return new String(b, StandardCharsets.UTF_8);
    }
}
