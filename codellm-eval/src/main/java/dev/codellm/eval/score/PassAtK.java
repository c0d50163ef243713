package dev.codellm.eval.score;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The unbiased pass@k estimator of Chen et al. (2021): per task {@code 1 - C(n-c, k) / C(n, k)},
 * computed as {@code 1 - prod_{i=n-c+1..n} (1 - k/i)} so no binomial coefficient overflows, then
 * averaged over tasks.
 */
public final class PassAtK {
    public static final List<Integer> STANDARD_KS = List.of(1, 10, 100);

    private PassAtK() {}

    /** pass@k for one task with n samples of which c are correct. */
    public static double estimate(int n, int c, int k) {
        if (n < 0 || c < 0 || c > n || k <= 0) throw new IllegalArgumentException("need 0 <= c <= n and k > 0, got n=" + n + " c=" + c + " k=" + k);
        if (k > n) throw new IllegalArgumentException("pass@" + k + " needs at least " + k + " samples per task, got " + n);
        if (n - c < k) return 1.0;
        double prod = 1.0;
        for (int i = n - c + 1; i <= n; i++) prod *= 1.0 - (double) k / i;
        return 1.0 - prod;
    }

    /**
     * Mean pass@k over tasks for each standard k that every task has enough samples for
     * (EvalPlus reports k only when min(n) >= k). Keys are {@code pass@1}, {@code pass@10}, ...
     */
    public static Map<String, Double> mean(int[] n, int[] c) {
        if (n.length != c.length) throw new IllegalArgumentException("n and c differ in length");
        Map<String, Double> out = new LinkedHashMap<>();
        if (n.length == 0) return out;
        int minN = Integer.MAX_VALUE;
        for (int x : n) minN = Math.min(minN, x);
        for (int k : STANDARD_KS) {
            if (minN < k) continue;
            double sum = 0;
            for (int i = 0; i < n.length; i++) sum += estimate(n[i], c[i], k);
            out.put("pass@" + k, sum / n.length);
        }
        return out;
    }
}
