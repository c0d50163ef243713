package dev.codellm.model.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A tensor stored in a GGUF file.
 *
 * @param name   tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type   element type
 * @param shape  dimensions in ggml order: {@code shape[0]} is the row length (fastest-varying),
 *               so a {@code [rows, cols]} matrix in PyTorch terms is {@code {cols, rows}} here
 * @param offset byte offset of the data relative to the start of the file's data section
 * @param data   the tensor's bytes: a read-only slice of the file mapping (valid until the file is closed)
 */
public record GgufTensor(String name, GgmlType type, long[] shape, long offset, MemorySegment data) {

    public GgufTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() { return shape.clone(); }

    /** Number of dimensions. */
    public int rank() { return shape.length; }

    /** Size of dimension {@code i} (ggml order), 1 beyond the rank. */
    public long dim(int i) { return i < shape.length ? shape[i] : 1; }

    /** Product of the dimensions. */
    public long elementCount() { return elementCount(shape); }

    /** Bytes of data: rows × {@code type.rowBytes(rowLength)}. */
    public long byteSize() { return rowCount() * type.rowBytes(rowLength()); }

    /** Elements per row ({@code shape[0]}). */
    public long rowLength() { return shape.length == 0 ? 1 : shape[0]; }

    /** Number of rows (product of the dimensions after the first). */
    public long rowCount() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n = Math.multiplyExact(n, shape[i]);
        return n;
    }

    /** Bytes of one row. */
    public long rowBytes() { return type.rowBytes(rowLength()); }

    /** The bytes of row {@code i}. */
    public MemorySegment row(long i) {
        if (i < 0 || i >= rowCount()) throw new IndexOutOfBoundsException("row " + i + " of " + rowCount() + " in " + name);
        return data.asSlice(i * rowBytes(), rowBytes());
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensor t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape)
                && t.offset == offset;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " (" + byteSize() + " bytes)";
    }
}
