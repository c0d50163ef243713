package dev.codellm.model.tokenizer;

import java.util.Arrays;

/**
 * BPE merges keyed by the ids of the two parts: (left id, right id) -> (rank, merged id).
 * An open-addressing table of longs so that the merge loop does no string work.
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    /** Adds a merge unless the pair is already there (the first, lower rank, wins as in llama.cpp). */
    void put(int left, int right, int rank, int merged) {
        long key = pack(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) return;
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = pack(rank, merged);
        size++;
    }

    /** (rank << 32 | merged id) for the pair, or -1 when the pair never merges. */
    long get(int left, int right) {
        long key = pack(left, right);
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) return values[slot];
            if (k == EMPTY) return -1L;
            slot = (slot + 1) & mask;
        }
    }

    int size() { return size; }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    private static long pack(int hi, int lo) { return (long) hi << 32 | (lo & 0xffffffffL); }
}
