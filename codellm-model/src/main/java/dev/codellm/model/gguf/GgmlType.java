package dev.codellm.model.gguf;

/**
 * ggml tensor element types, with ggml's numeric ids (as stored in GGUF tensor infos) and block
 * layout: a row of {@code n} elements is {@code n / blockSize()} blocks of {@code typeSize()} bytes.
 * Ids 4 and 5 (old Q4_2/Q4_3) are gone upstream; the IQ* types are not supported here.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 2 + 16),
    Q4_1(3, 32, 2 + 2 + 16),
    Q5_0(6, 32, 2 + 4 + 16),
    Q5_1(7, 32, 2 + 2 + 4 + 16),
    Q8_0(8, 32, 2 + 32),
    Q8_1(9, 32, 2 + 2 + 32),
    Q2_K(10, 256, 16 + 64 + 2 + 2),
    Q3_K(11, 256, 32 + 64 + 12 + 2),
    Q4_K(12, 256, 2 + 2 + 12 + 128),
    Q5_K(13, 256, 2 + 2 + 12 + 32 + 128),
    Q6_K(14, 256, 128 + 64 + 16 + 2),
    Q8_K(15, 256, 4 + 256 + 16 * 2),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2);

    /** Elements per super-block for the K-quants (ggml's QK_K). */
    public static final int QK_K = 256;

    private static final GgmlType[] BY_ID = new GgmlType[64];
    static {
        for (GgmlType t : values()) BY_ID[t.id] = t;
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** ggml's numeric type id. */
    public int id() { return id; }

    /** Elements per block (1 for plain types). */
    public int blockSize() { return blockSize; }

    /** Bytes per block. */
    public int typeSize() { return typeSize; }

    /** True for block-quantized types (anything that is not a plain number per element). */
    public boolean isQuantized() { return blockSize > 1; }

    /** Bytes taken by a row of {@code n} elements; {@code n} must be a multiple of the block size. */
    public long rowBytes(long n) {
        if (n < 0 || n % blockSize != 0)
            throw new IllegalArgumentException(this + " row length " + n + " is not a multiple of its block size " + blockSize);
        return n / blockSize * typeSize;
    }

    /** The type with this ggml id, or null when the id is unknown or unsupported. */
    public static GgmlType fromId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
