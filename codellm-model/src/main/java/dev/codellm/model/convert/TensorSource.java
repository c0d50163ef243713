package dev.codellm.model.convert;

import dev.codellm.model.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * One tensor to be written to a GGUF, readable row by row as floats, wherever it comes from (a
 * GGUF being quantized, a Hugging Face checkpoint being converted, with its Q/K rows reordered).
 * Rows are ggml rows: {@code shape()[0]} elements each.
 */
public interface TensorSource {
    /** The GGUF tensor name (e.g. {@code blk.0.attn_q.weight}). */
    String name();

    /** ggml order: {@code shape()[0]} is the row length. */
    long[] shape();

    /** How the values are stored now. */
    GgmlType type();

    /** Decodes rows {@code [first, first + count)} into {@code dst[0 .. count*rowLength)}; called from several threads. */
    void readRows(long first, int count, float[] dst);

    /** The stored bytes when they can be copied unchanged into a tensor of {@link #type()}, else null. */
    default MemorySegment raw() { return null; }

    /**
     * Writes the stored bytes unchanged (a tensor of {@link #type()}) and returns true, or returns
     * false when they cannot be copied as they are (rows to reorder); by default {@link #raw()}.
     */
    default boolean copyStored(WritableByteChannel sink) throws IOException {
        MemorySegment m = raw();
        if (m == null) return false;
        writeFully(sink, m.asByteBuffer());
        return true;
    }

    static void writeFully(WritableByteChannel sink, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) sink.write(b);
    }

    /**
     * Called once the tensor is written: a memory-mapped source drops its pages from this process
     * (MemorySegment.unload), so the resident set stays one tensor's worth, not the whole file's.
     */
    default void release() {
        MemorySegment m = raw();
        if (m != null && m.isMapped()) m.unload();
    }

    default long rowLength() { return shape()[0]; }

    default long rowCount() {
        long[] s = shape();
        long n = 1;
        for (int i = 1; i < s.length; i++) n *= s[i];
        return n;
    }

    default long elementCount() { return rowLength() * rowCount(); }
}
