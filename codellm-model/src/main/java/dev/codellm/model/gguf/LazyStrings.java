package dev.codellm.model.gguf;

import java.lang.foreign.MemorySegment;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An immutable list of strings still sitting in a GGUF mapping, decoded (and cached) on first
 * access. Parsing a 150k-token vocabulary then costs a length scan instead of 150k allocations.
 * {@link GgufFile#close()} decodes whatever is left before unmapping.
 */
final class LazyStrings extends AbstractList<String> implements RandomAccess {
    private final MemorySegment seg;
    private final long[] starts;
    private final int[] lengths;
    private final String[] cache;

    LazyStrings(MemorySegment seg, long[] starts, int[] lengths) {
        this.seg = seg;
        this.starts = starts;
        this.lengths = lengths;
        this.cache = new String[starts.length];
    }

    @Override
    public String get(int i) {
        String s = cache[i];
        if (s == null) cache[i] = s = GgufCursor.decode(seg, starts[i], lengths[i]);
        return s;
    }

    @Override
    public int size() { return starts.length; }

    synchronized void decodeAll() {
        for (int i = 0; i < cache.length; i++) get(i);
    }
}
