package dev.codellm.model.gguf;

/** GGUF metadata value types with their on-disk ids (gguf spec {@code gguf_metadata_value_type}). */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4),
    FLOAT32(6, 4), BOOL(7, 1), STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    public int id() { return id; }

    /** Smallest encoding of one value (a string or array is at least its length prefix). */
    int minBytes() { return minBytes; }

    /** Integer types whose every value fits a Java int (read as Integer / int[]). */
    public boolean fitsInt() {
        return this == UINT8 || this == INT8 || this == UINT16 || this == INT16 || this == INT32;
    }

    /** Integer types read as Long / long[] (UINT32, INT64, UINT64; UINT64 keeps its raw bits). */
    public boolean isLong() {
        return this == UINT32 || this == INT64 || this == UINT64;
    }

    public static GgufValueType fromId(long id) {
        for (GgufValueType t : BY_ID) if (t.id == id) return t;
        return null;
    }
}
