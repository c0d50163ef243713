package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.codellm.core.SamplingParams;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplerTest {
    /** Logits whose softmax at T=1 is exactly these probabilities (log-probabilities). */
    private static final double[] PROBS = {0.05, 0.5, 0.1, 0.2, 0.15};
    private static final float[] LOGITS = logOf(PROBS);

    private static float[] logOf(double[] p) {
        float[] l = new float[p.length];
        for (int i = 0; i < p.length; i++) l[i] = (float) Math.log(p[i]);
        return l;
    }

    private static SamplingParams sampling(double t) {
        return SamplingParams.GREEDY.withTemperature(t).withSeed(42L);
    }

    private static double[] dist(SamplingParams p) {
        return new Sampler(p).distribution(LOGITS, null);
    }

    @Test
    void temperatureOneReproducesTheSoftmax() {
        assertArrayEquals(PROBS, dist(sampling(1.0)), 1e-6);
    }

    @Test
    void temperatureTwoTakesSquareRootsOfProbabilities() {
        // p_i^(1/2) / sum_j p_j^(1/2), values worked out by hand: sum of roots = 2.0823...
        double s = Math.sqrt(0.05) + Math.sqrt(0.5) + Math.sqrt(0.1) + Math.sqrt(0.2) + Math.sqrt(0.15);
        double[] expected = {Math.sqrt(0.05) / s, Math.sqrt(0.5) / s, Math.sqrt(0.1) / s, Math.sqrt(0.2) / s, Math.sqrt(0.15) / s};
        assertEquals(0.33972, expected[1], 1e-5); // hand check of the formula itself
        assertArrayEquals(expected, dist(sampling(2.0)), 1e-6);
    }

    @Test
    void topKKeepsTheKMostProbable() {
        // k=2 keeps 0.5 and 0.2 → 5/7 and 2/7
        assertArrayEquals(new double[] {0, 5 / 7.0, 0, 2 / 7.0, 0}, dist(sampling(1.0).withTopK(2)), 1e-6);
    }

    @Test
    void topPKeepsExactlyTheNucleus() {
        // sorted: 0.5, 0.2, 0.15, 0.1, 0.05; cumulative 0.5, 0.7, 0.85 → p=0.8 keeps three
        assertArrayEquals(new double[] {0, 0.5 / 0.85, 0, 0.2 / 0.85, 0.15 / 0.85}, dist(sampling(1.0).withTopP(0.8)), 1e-6);
        // p=0.45 keeps only the first (0.5 already reaches it)
        assertArrayEquals(new double[] {0, 1, 0, 0, 0}, dist(sampling(1.0).withTopP(0.45)), 1e-6);
        // p=0.9: cumulative 0.95 at the fourth
        assertArrayEquals(new double[] {0, 0.5 / 0.95, 0.1 / 0.95, 0.2 / 0.95, 0.15 / 0.95}, dist(sampling(1.0).withTopP(0.9)), 1e-6);
    }

    @Test
    void topPAppliesToTheTopKRenormalisedDistribution() {
        // top-k 3 → 0.5/0.85=0.588, 0.2/0.85=0.235, 0.15/0.85=0.176; p=0.8 reaches at the second (0.824)
        assertArrayEquals(new double[] {0, 5 / 7.0, 0, 2 / 7.0, 0}, dist(sampling(1.0).withTopK(3).withTopP(0.8)), 1e-6);
    }

    @Test
    void minPKeepsTokensAboveAFractionOfTheBest() {
        // min-p 0.35 → threshold 0.175: keeps 0.5 and 0.2
        assertArrayEquals(new double[] {0, 5 / 7.0, 0, 2 / 7.0, 0}, dist(sampling(1.0).withMinP(0.35)), 1e-6);
        // min-p 0.19 → threshold 0.095: keeps 0.5, 0.2, 0.15, 0.1
        assertArrayEquals(new double[] {0, 0.5 / 0.95, 0.1 / 0.95, 0.2 / 0.95, 0.15 / 0.95}, dist(sampling(1.0).withMinP(0.19)), 1e-6);
    }

    @Test
    void greedyIsArgmaxWithFirstIndexOnTies() {
        Sampler s = new Sampler(SamplingParams.GREEDY);
        assertEquals(1, s.sample(LOGITS, null));
        assertEquals(2, s.sample(new float[] {0, 1, 3, 3, -1}, null));
    }

    @Test
    void logitBiasShiftsTheDistributionAndMinus100Bans() {
        // +ln 2 on token 0 doubles its weight: p = (0.1, 0.5, 0.1, 0.2, 0.15) / 1.05
        SamplingParams t1 = sampling(1.0);
        double[] biased = new Sampler(t1.withLogitBias(java.util.Map.of(0, Math.log(2)))).distribution(LOGITS, null);
        double[] expected = {0.1 / 1.05, 0.5 / 1.05, 0.1 / 1.05, 0.2 / 1.05, 0.15 / 1.05};
        assertArrayEquals(expected, biased, 1e-6);
        // -100 bans: the argmax (token 1) can no longer be drawn, greedy takes the next best
        SamplingParams ban = t1.withLogitBias(java.util.Map.of(1, SamplingParams.BAN));
        double[] banned = new Sampler(ban).distribution(LOGITS, null);
        assertEquals(0.0, banned[1]);
        assertArrayEquals(new double[] {0.1, 0, 0.2, 0.4, 0.3}, banned, 1e-6);
        assertEquals(3, new Sampler(SamplingParams.GREEDY.withLogitBias(java.util.Map.of(1, -100.0))).sample(LOGITS, null));
        Sampler topK1 = new Sampler(ban.withTopK(1));
        for (int i = 0; i < 20; i++) assertEquals(3, topK1.sample(LOGITS, null));
        // +100 makes a token the only choice in practice; ids past the vocabulary are ignored
        assertEquals(4, new Sampler(t1.withLogitBias(java.util.Map.of(4, 100.0, 99, 5.0))).sample(LOGITS, null));
        assertArrayEquals(logOf(PROBS), LOGITS); // input untouched
        assertThrows(IllegalArgumentException.class, () -> t1.withLogitBias(java.util.Map.of(0, 100.5)));
        assertThrows(IllegalArgumentException.class, () -> t1.withLogitBias(java.util.Map.of(-1, 1.0)));
    }

    @Test
    void repetitionFrequencyAndPresencePenalties() {
        float[] logits = {2f, -1f, 0.5f};
        TokenHistory h = new TokenHistory(new int[] {0, 0, 1});
        // repetition 2: 2 → 1 (divided), -1 → -2 (multiplied); token 2 unseen stays 0.5
        Sampler rep = new Sampler(SamplingParams.GREEDY.withPenalties(2.0, 64, 0, 0));
        assertArrayEquals(new float[] {1f, -2f, 0.5f}, rep.penalized(logits, h), 1e-6f);
        assertEquals(0, rep.sample(logits, h));
        // + frequency 0.5 per occurrence, presence 0.25 once: 1 - 1.25 = -0.25; -2 - 0.75 = -2.75
        Sampler all = new Sampler(SamplingParams.GREEDY.withPenalties(2.0, 64, 0.25, 0.5));
        assertArrayEquals(new float[] {-0.25f, -2.75f, 0.5f}, all.penalized(logits, h), 1e-6f);
        assertEquals(2, all.sample(logits, h));
        // window of the last 1 token sees only token 1
        Sampler last1 = new Sampler(SamplingParams.GREEDY.withPenalties(2.0, 1, 0, 0));
        assertArrayEquals(new float[] {2f, -2f, 0.5f}, last1.penalized(logits, h), 1e-6f);
        assertArrayEquals(logits, new float[] {2f, -1f, 0.5f}); // input untouched
    }

    @Test
    void drawsFollowTheDistribution() {
        Sampler s = new Sampler(sampling(1.0).withTopP(0.8));
        int[] counts = new int[PROBS.length];
        int n = 100_000;
        for (int i = 0; i < n; i++) counts[s.sample(LOGITS, null)]++;
        double[] expected = {0, 0.5 / 0.85, 0, 0.2 / 0.85, 0.15 / 0.85};
        for (int i = 0; i < counts.length; i++) assertEquals(expected[i], counts[i] / (double) n, 0.006, "token " + i);
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] flat = new float[1000]; // uniform over 1000 tokens
        int[] a = draw(new Sampler(sampling(1.0).withSeed(7L)), flat);
        int[] b = draw(new Sampler(sampling(1.0).withSeed(7L)), flat);
        int[] c = draw(new Sampler(sampling(1.0).withSeed(8L)), flat);
        assertArrayEquals(a, b);
        assertNotEquals(List.of(a), List.of(c));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    private static int[] draw(Sampler s, float[] logits) {
        int[] out = new int[50];
        for (int i = 0; i < out.length; i++) out[i] = s.sample(logits, null);
        return out;
    }

    @Test
    void largeVocabularyTopPMatchesFullSort() {
        // A 32k vocabulary with random logits: the prefiltered nucleus must equal a naive one.
        java.util.Random r = new java.util.Random(3);
        float[] logits = new float[32000];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (r.nextGaussian() * 3);
        double[] got = new Sampler(sampling(0.7).withTopP(0.9)).distribution(logits, null);
        double[] p = new double[logits.length];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float l : logits) max = Math.max(max, l / 0.7);
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] / 0.7 - max);
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) { order[i] = i; p[i] /= sum; }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(p[y], p[x]));
        double cum = 0, kept = 0;
        int n = 0;
        while (cum < 0.9) { cum += p[order[n]]; n++; }
        for (int i = 0; i < n; i++) kept += p[order[i]];
        for (int i = 0; i < p.length; i++) {
            double want = 0;
            for (int j = 0; j < n; j++) if (order[j] == i) want = p[i] / kept;
            assertEquals(want, got[i], 1e-9, "token " + i);
        }
    }

    @Test
    void invalidValuesAreRejectedWithANamedProblem() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Sampler(SamplingParams.GREEDY.withPenalties(0, 64, 0, 0)));
        assertEquals("repeat penalty must be > 0, got 0.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.GREEDY.withTopP(0));
    }

    @Test
    void quickselectPutsTheKSmallestFirst() {
        java.util.Random r = new java.util.Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300);
            long[] a = new long[n];
            for (int i = 0; i < n; i++) a[i] = r.nextInt(50); // many duplicates
            long[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            int k = 1 + r.nextInt(n);
            Sampler.selectSmallest(a, n, k);
            long[] firstK = java.util.Arrays.copyOf(a, k);
            java.util.Arrays.sort(firstK);
            assertArrayEquals(java.util.Arrays.copyOf(sorted, k), firstK, "n=" + n + " k=" + k);
        }
    }

    @Test
    void topKOnALargeVocabularyKeepsTheKLargestLogits() {
        java.util.Random r = new java.util.Random(5);
        float[] logits = new float[32000];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) r.nextGaussian();
        double[] d = new Sampler(sampling(1.0).withTopK(40)).distribution(logits, null);
        float[] sorted = logits.clone();
        java.util.Arrays.sort(sorted);
        float kth = sorted[sorted.length - 40];
        int kept = 0;
        for (int i = 0; i < logits.length; i++) {
            if (d[i] > 0) kept++;
            assertEquals(logits[i] >= kth, d[i] > 0, "token " + i);
        }
        assertEquals(40, kept);
    }
}
