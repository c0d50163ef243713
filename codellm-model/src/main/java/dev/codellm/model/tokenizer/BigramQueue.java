package dev.codellm.model.tokenizer;

import java.util.Arrays;

/**
 * A binary min-heap of (64-bit key, int value) pairs, compared as unsigned keys. Both encoders
 * pack "which merge first" into the key (rank or score in the high half, left position in the
 * low half), so ties break toward the leftmost pair exactly as llama.cpp's comparators do.
 * Primitive arrays keep the merge loop free of per-candidate objects.
 */
final class BigramQueue {
    private long[] keys = new long[64];
    private int[] values = new int[64];
    private int size;

    boolean isEmpty() { return size == 0; }

    void clear() { size = 0; }

    void push(long key, int value) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (Long.compareUnsigned(keys[parent], key) <= 0) break;
            keys[i] = keys[parent];
            values[i] = values[parent];
            i = parent;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** The smallest key (queue must not be empty). */
    long topKey() { return keys[0]; }

    /** The value of the smallest key, which is removed. */
    int pop() {
        int top = values[0];
        size--;
        if (size > 0) {
            long key = keys[size];
            int value = values[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && Long.compareUnsigned(keys[child + 1], keys[child]) < 0) child++;
                if (Long.compareUnsigned(keys[child], key) >= 0) break;
                keys[i] = keys[child];
                values[i] = values[child];
                i = child;
            }
            keys[i] = key;
            values[i] = value;
        }
        return top;
    }
}
