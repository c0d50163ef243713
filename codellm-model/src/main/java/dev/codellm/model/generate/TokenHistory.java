package dev.codellm.model.generate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The tokens of one sequence so far (prompt and generated), for the penalty window of
 * {@link Sampler}. Append-only; cheap to query the last N.
 */
public final class TokenHistory {
    private int[] tokens = new int[64];
    private int size;

    public TokenHistory() {}

    public TokenHistory(int[] initial) {
        addAll(initial);
    }

    public void add(int token) {
        if (size == tokens.length) tokens = Arrays.copyOf(tokens, size * 2);
        tokens[size++] = token;
    }

    public void addAll(int[] ts) {
        for (int t : ts) add(t);
    }

    public int size() { return size; }

    public int get(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(i);
        return tokens[i];
    }

    public int[] toArray() { return Arrays.copyOf(tokens, size); }

    /** Receives each distinct token of a window with its number of occurrences. */
    @FunctionalInterface
    public interface CountConsumer {
        void accept(int token, int count);
    }

    /**
     * Calls {@code consumer} once per distinct token among the last {@code lastN} tokens
     * ({@code -1}: all of them, {@code 0}: none), in order of first appearance in the window.
     */
    public void forEachCount(int lastN, CountConsumer consumer) {
        int n = lastN < 0 ? size : Math.min(lastN, size);
        Map<Integer, int[]> counts = new java.util.LinkedHashMap<>(Math.max(16, n * 2));
        for (int i = size - n; i < size; i++) counts.computeIfAbsent(tokens[i], k -> new int[1])[0]++;
        counts.forEach((id, c) -> consumer.accept(id, c[0]));
    }

    /** Counts of the last {@code lastN} tokens as a map (for tests and debugging). */
    public Map<Integer, Integer> counts(int lastN) {
        Map<Integer, Integer> m = new HashMap<>();
        forEachCount(lastN, m::put);
        return m;
    }
}
