package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;

/** Element type of the KV cache: F16 halves its memory, F32 is exact. */
public enum KvType {
    F16(2), F32(4);

    private final int bytes;

    KvType(int bytes) { this.bytes = bytes; }

    public int bytes() { return bytes; }

    /** The type that holds a cache in less memory, or null when this one is already the smallest. */
    public KvType smaller() {
        return this == F32 ? F16 : null;
    }

    /**
     * The flags that make a cache of this type fit in less memory, as the one way every "does not
     * fit" message advises them: {@code --ctx}, {@code --parallel} when there are several slots, and
     * {@code --kv-type} only toward a smaller type than the one already in use.
     */
    public String memoryFlags(int slots) {
        KvType s = smaller();
        return "--ctx" + (slots > 1 ? ", --parallel" : "") + (s != null ? ", --kv-type " + s.name().toLowerCase(java.util.Locale.ROOT) : "");
    }

    /** Parses {@code f16}/{@code f32} (any case) with a clear error otherwise. */
    public static KvType parse(String s) {
        for (KvType t : values()) if (t.name().equalsIgnoreCase(s)) return t;
        throw new CodellmException("unknown KV cache type '" + s + "' (use f16 or f32)");
    }
}
