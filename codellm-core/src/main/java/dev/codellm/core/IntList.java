package dev.codellm.core;

import java.util.Arrays;

/**
 * A growable {@code int} array without boxing: token ids (a training stream runs to millions),
 * pre-tokenizer cut offsets, prompt ids. The one such type in the tree; not thread-safe.
 */
public final class IntList {
    private int[] data;
    private int size;

    public IntList() { this(16); }

    public IntList(int capacity) { data = new int[Math.max(4, capacity)]; }

    public IntList add(int v) {
        if (size == data.length) data = Arrays.copyOf(data, size + (size >> 1) + 4);
        data[size++] = v;
        return this;
    }

    public IntList addAll(int[] vs) {
        if (size + vs.length > data.length) data = Arrays.copyOf(data, Math.max(size + (size >> 1) + 4, size + vs.length));
        System.arraycopy(vs, 0, data, size, vs.length);
        size += vs.length;
        return this;
    }

    public int get(int i) {
        if (i >= size) throw new IndexOutOfBoundsException("index " + i + " of " + size);
        return data[i];
    }

    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    public void clear() { size = 0; }

    public int[] toArray() { return Arrays.copyOf(data, size); }
}
