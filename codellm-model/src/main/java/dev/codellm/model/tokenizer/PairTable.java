package dev.codellm.model.tokenizer;

import java.util.Arrays;

/**
 * A map from a pair of ints to a long, as an open-addressing table of primitives so that the merge
 * loops neither box nor hash strings. BPE keys merges by the ids of their two parts:
 * (left id, right id) -> (rank << 32 | merged id).
 */
final class PairTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    PairTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    /** Adds a merge unless the pair is already there (the first, lower rank, wins as in llama.cpp). */
    void put(int left, int right, int rank, int merged) { putIfAbsent(left, right, pack(rank, merged)); }

    boolean contains(int left, int right) { return get(left, right) != -1L; }

    void putIfAbsent(int left, int right, long value) {
        long key = pack(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) return;
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
        size++;
    }

    /** The value for the pair ((rank << 32 | merged id) for merges), or -1 when absent. */
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
