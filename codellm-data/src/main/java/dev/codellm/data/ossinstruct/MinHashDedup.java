package dev.codellm.data.ossinstruct;

import dev.codellm.decontam.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Near-duplicate detection with MinHash + LSH: each text becomes the set of its word 3-shingles
 * (lowercased word tokens), summarised by {@value #PERMUTATIONS} min-hashes; texts sharing a
 * band of {@value #ROWS} rows are candidates, and a candidate is a duplicate when the estimated
 * Jaccard similarity reaches the threshold. The first text of a group is kept (input order).
 */
public final class MinHashDedup {
    static final int PERMUTATIONS = 128;
    static final int ROWS = 4;
    private static final int SHINGLE = 3;

    private final double threshold;
    private final long[] seedsA = new long[PERMUTATIONS];
    private final long[] seedsB = new long[PERMUTATIONS];
    private final List<long[]> kept = new ArrayList<>();
    private final List<Map<Long, List<Integer>>> bands = new ArrayList<>();

    public MinHashDedup(double threshold) {
        this.threshold = threshold;
        java.util.SplittableRandom r = new java.util.SplittableRandom(0x5EEDL);
        for (int i = 0; i < PERMUTATIONS; i++) {
            seedsA[i] = r.nextLong() | 1;
            seedsB[i] = r.nextLong();
        }
        for (int b = 0; b < PERMUTATIONS / ROWS; b++) bands.add(new HashMap<>());
    }

    /** Adds the text unless it is a near-duplicate of one added before; returns whether it was added. */
    public boolean addIfNew(String text) {
        long[] sig = signature(text);
        for (int b = 0; b < bands.size(); b++) {
            List<Integer> cands = bands.get(b).get(bandKey(sig, b));
            if (cands == null) continue;
            for (int c : cands) if (similarity(sig, kept.get(c)) >= threshold) return false;
        }
        int id = kept.size();
        kept.add(sig);
        for (int b = 0; b < bands.size(); b++) bands.get(b).computeIfAbsent(bandKey(sig, b), k -> new ArrayList<>()).add(id);
        return true;
    }

    static double similarity(long[] a, long[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        return same / (double) a.length;
    }

    private static long bandKey(long[] sig, int band) {
        long h = band;
        for (int r = 0; r < ROWS; r++) h = h * 0x9E3779B97F4A7C15L + sig[band * ROWS + r];
        return h;
    }

    long[] signature(String text) {
        List<Long> tokens = new ArrayList<>();
        int i = 0, n = text.length();
        while (i < n) {
            while (i < n && !Normalizer.isWordChar(text.charAt(i))) i++;
            long h = 1469598103934665603L;
            boolean any = false;
            while (i < n && Normalizer.isWordChar(text.charAt(i))) {
                h = (h ^ Character.toLowerCase(text.charAt(i++))) * 1099511628211L;
                any = true;
            }
            if (any) tokens.add(h);
        }
        long[] sig = new long[PERMUTATIONS];
        java.util.Arrays.fill(sig, Long.MAX_VALUE);
        int shingles = Math.max(1, tokens.size() - SHINGLE + 1);
        for (int s = 0; s < shingles; s++) {
            long x = 0;
            for (int k = s; k < Math.min(tokens.size(), s + SHINGLE); k++) x = x * 31 + tokens.get(k);
            for (int p = 0; p < PERMUTATIONS; p++) {
                long v = (x * seedsA[p] + seedsB[p]);
                v ^= v >>> 29;
                if (v < sig[p]) sig[p] = v;
            }
        }
        return sig;
    }
}
