package dev.codellm.model.tokenizer;

import java.util.Arrays;

/** A growable int array (token ids, offsets) without boxing. */
final class IntList {
    private int[] data;
    private int size;

    IntList(int capacity) { data = new int[Math.max(4, capacity)]; }

    void add(int v) {
        if (size == data.length) data = Arrays.copyOf(data, size + (size >> 1) + 4);
        data[size++] = v;
    }

    int get(int i) { return data[i]; }

    int size() { return size; }

    void clear() { size = 0; }

    int[] toArray() { return Arrays.copyOf(data, size); }
}
