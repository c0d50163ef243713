package dev.codellm.eval.score;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PassAtKTest {
    /** Exact 1 - C(n-c,k)/C(n,k) with big integers: the independent reference. */
    static double exact(int n, int c, int k) {
        if (n - c < k) return 1.0;
        BigInteger num = binom(n - c, k), den = binom(n, k);
        return 1.0 - new java.math.BigDecimal(num).divide(new java.math.BigDecimal(den), java.math.MathContext.DECIMAL128).doubleValue();
    }

    static BigInteger binom(int n, int k) {
        BigInteger r = BigInteger.ONE;
        for (int i = 1; i <= k; i++) r = r.multiply(BigInteger.valueOf(n - k + i)).divide(BigInteger.valueOf(i));
        return r;
    }

    @Test
    void handComputedValues() {
        assertEquals(0.4, PassAtK.estimate(5, 2, 1), 1e-12);          // c/n for k=1
        assertEquals(1 - 3.0 / 10, PassAtK.estimate(5, 2, 2), 1e-12);  // 1 - C(3,2)/C(5,2) = 1 - 3/10
        assertEquals(1.0, PassAtK.estimate(10, 3, 10), 0.0);            // n = k, c > 0
        assertEquals(0.0, PassAtK.estimate(10, 0, 10), 0.0);            // n = k, c = 0
        assertEquals(0.0, PassAtK.estimate(200, 0, 1), 0.0);            // c = 0
        assertEquals(1.0, PassAtK.estimate(1, 1, 1), 0.0);
        assertEquals(1.0, PassAtK.estimate(20, 15, 10), 0.0);           // n - c < k
    }

    @Test
    void agreesWithExactBinomialsWhereTheyWouldOverflowDoubles() {
        int[][] cases = {{200, 10, 100}, {200, 1, 10}, {1000, 3, 100}, {100, 50, 10}, {200, 199, 100}};
        for (int[] c : cases) {
            assertEquals(exact(c[0], c[1], c[2]), PassAtK.estimate(c[0], c[1], c[2]), 1e-12, java.util.Arrays.toString(c));
        }
    }

    @Test
    void meanReportsOnlyKsEveryTaskHasSamplesFor() {
        Map<String, Double> m = PassAtK.mean(new int[] {10, 10}, new int[] {1, 0});
        assertEquals(java.util.Set.of("pass@1", "pass@10"), m.keySet());
        assertEquals(0.05, m.get("pass@1"), 1e-12);   // (1/10 + 0) / 2
        assertEquals(0.5, m.get("pass@10"), 1e-12);   // (1 + 0) / 2
        assertEquals(Map.of("pass@1", 0.5), PassAtK.mean(new int[] {1, 1}, new int[] {1, 0}));
        assertTrue(PassAtK.mean(new int[0], new int[0]).isEmpty());
    }

    @Test
    void rejectsImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(5, 6, 1));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(5, 1, 10));
    }
}
