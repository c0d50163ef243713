package dev.codellm.train.data;

import java.util.Arrays;

/** A growable int array (token streams run to millions of ids). */
public final class IntList {
    private int[] a = new int[1024];
    private int n;

    public IntList add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[n++] = v;
        return this;
    }

    public IntList addAll(int[] v) {
        if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
        System.arraycopy(v, 0, a, n, v.length);
        n += v.length;
        return this;
    }

    public int size() { return n; }
    public int get(int i) { return a[i]; }
    public int[] toArray() { return Arrays.copyOf(a, n); }
}
