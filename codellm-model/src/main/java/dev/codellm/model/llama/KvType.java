package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;

/** Element type of the KV cache: F16 halves its memory, F32 is exact. */
public enum KvType {
    F16(2), F32(4);

    private final int bytes;

    KvType(int bytes) { this.bytes = bytes; }

    public int bytes() { return bytes; }

    /** Parses {@code f16}/{@code f32} (any case) with a clear error otherwise. */
    public static KvType parse(String s) {
        for (KvType t : values()) if (t.name().equalsIgnoreCase(s)) return t;
        throw new CodellmException("unknown KV cache type '" + s + "' (use f16 or f32)");
    }
}
