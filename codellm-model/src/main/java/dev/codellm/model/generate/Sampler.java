package dev.codellm.model.generate;

import dev.codellm.core.SamplingParams;
import dev.codellm.model.kernels.VecMath;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Picks the next token from a logit vector as {@link SamplingParams} asks.
 *
 * <p>Order of operations (that of Hugging Face {@code generate} and Code Llama's reference
 * {@code sample_top_p}, where temperature is applied before truncation):
 * <ol>
 *   <li>logit bias (OpenAI's {@code logit_bias}): added to the token's logit; -100 bans it (the
 *       logit becomes -infinity, so not even greedy decoding or top-k can pick it);</li>
 *   <li>penalties over the recent-token window ({@link TokenHistory}): repetition (CTRL / llama.cpp:
 *       positive logits divided, negative multiplied), then frequency and presence (OpenAI:
 *       {@code logit -= count * frequency + (count > 0) * presence});</li>
 *   <li>temperature 0 → greedy argmax (lowest id wins ties); otherwise softmax(logits / T);</li>
 *   <li>top-k (the k most probable), top-p (the smallest most-probable set whose mass reaches p),
 *       min-p (probability at least {@code minP × max probability}); renormalise;</li>
 *   <li>draw with a {@link SplittableRandom} seeded from {@code seed} (fresh seed when null), so the
 *       same seed and the same logits give the same tokens.</li>
 * </ol>
 * One sampler serves one sequence (it owns the random stream); not thread-safe.
 */
public final class Sampler {
    private final SamplingParams params;
    private final DoubleSupplier uniform;
    private final int[] biasIds;
    private final float[] biasValues;

    public Sampler(SamplingParams params) {
        this(params, null);
    }

    /**
     * A sampler drawing its uniform numbers in [0, 1) from {@code uniform} instead of the seeded
     * stream (e.g. to replay another implementation's random numbers in a test); null: the seeded stream.
     */
    public Sampler(SamplingParams params, DoubleSupplier uniform) {
        this.params = validate(params);
        if (uniform == null) {
            SplittableRandom random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
            uniform = random::nextDouble;
        }
        this.uniform = uniform;
        biasIds = new int[params.logitBias().size()];
        biasValues = new float[biasIds.length];
        int i = 0;
        for (var e : params.logitBias().entrySet()) {
            biasIds[i] = e.getKey();
            biasValues[i++] = e.getValue() <= SamplingParams.BAN ? Float.NEGATIVE_INFINITY : e.getValue().floatValue();
        }
    }

    public SamplingParams params() { return params; }

    /** Greedy choice without penalties or biases: the highest logit, the lowest id on ties (for benches driving the engine). */
    public static int greedy(float[] logits) {
        return VecMath.argmax(logits);
    }

    /** The next token id for these logits; {@code logits} is not modified. */
    public int sample(float[] logits, TokenHistory history) {
        float[] adjusted = penalized(logits, history);
        if (params.temperature() == 0) return VecMath.argmax(adjusted);
        Candidates c = truncatedDistribution(adjusted);
        double u = uniform.getAsDouble() * c.mass;
        double cumulative = 0;
        for (int i = 0; i < c.count; i++) {
            cumulative += c.probs[i];
            if (u < cumulative) return c.ids[i];
        }
        return c.ids[c.count - 1]; // u fell in the rounding gap at the very top
    }

    /**
     * The full probability vector the sampler draws from (zeros outside the kept set; sums to 1).
     * For greedy it is one-hot at the argmax. Used by tests and by callers wanting logprobs.
     */
    public double[] distribution(float[] logits, TokenHistory history) {
        float[] adjusted = penalized(logits, history);
        double[] out = new double[logits.length];
        if (params.temperature() == 0) {
            out[VecMath.argmax(adjusted)] = 1;
            return out;
        }
        Candidates c = truncatedDistribution(adjusted);
        for (int i = 0; i < c.count; i++) out[c.ids[i]] = c.probs[i] / c.mass;
        return out;
    }

    float[] penalized(float[] logits, TokenHistory history) {
        boolean repeat = params.repeatPenalty() != 1.0;
        boolean openAi = params.presencePenalty() != 0 || params.frequencyPenalty() != 0;
        boolean penalties = history != null && (repeat || openAi);
        if (!penalties && biasIds.length == 0) return logits;
        float[] out = logits.clone();
        for (int i = 0; i < biasIds.length; i++) {
            if (biasIds[i] < out.length) out[biasIds[i]] += biasValues[i]; // ids past the vocabulary are the caller's to refuse
        }
        if (!penalties) return out;
        history.forEachCount(params.repeatLastN(), (id, count) -> {
            if (id < 0 || id >= out.length) return;
            float l = out[id];
            if (repeat) l = l > 0 ? (float) (l / params.repeatPenalty()) : (float) (l * params.repeatPenalty());
            l -= (float) (count * params.frequencyPenalty() + params.presencePenalty());
            out[id] = l;
        });
        return out;
    }

    /** Kept token ids sorted by descending probability, with unnormalised probabilities. */
    private record Candidates(int[] ids, double[] probs, int count, double mass) {}

    private Candidates truncatedDistribution(float[] logits) {
        int n = logits.length;
        double invT = 1.0 / params.temperature();
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l * invT);
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[i] * invT - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) p[i] /= sum;
        if (params.topK() == 0 && params.topP() >= 1 && params.minP() == 0) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return new Candidates(all, p, n, 1.0); // nothing truncated: draw over the whole vocabulary
        }

        // Only tokens that can survive truncation need sorting. A token below (1 - topP) / (n - 1)
        // can never be inside the nucleus (all such tokens together weigh less than 1 - topP), and
        // below minP * max it is cut anyway; with neither, every token is a candidate.
        double pMax = 0;
        for (double v : p) pMax = Math.max(pMax, v);
        double threshold = 0;
        // (With top-k the nucleus is taken from the renormalised top k, so that bound does not hold.)
        if (params.topP() < 1 && params.topK() == 0 && n > 1) threshold = (1 - params.topP()) / (n - 1);
        if (params.minP() > 0) threshold = Math.max(threshold, params.minP() * pMax);
        int[] order = sortedDescending(p, threshold, params.topK() > 0 ? params.topK() : Integer.MAX_VALUE);
        int count = order.length;
        if (params.topK() > 0) count = Math.min(count, params.topK());
        if (params.topP() < 1) {
            // With top-k, top-p applies to the renormalised top-k distribution; without, to all (mass 1).
            double kept = 1;
            if (params.topK() > 0) {
                kept = 0;
                for (int i = 0; i < count; i++) kept += p[order[i]];
            }
            double cumulative = 0;
            int nucleus = count;
            for (int i = 0; i < count; i++) {
                cumulative += p[order[i]] / kept;
                if (cumulative >= params.topP()) { nucleus = i + 1; break; }
            }
            count = nucleus;
        }
        if (params.minP() > 0) {
            double cut = params.minP() * p[order[0]];
            int m = 0;
            while (m < count && p[order[m]] >= cut) m++;
            count = Math.max(1, m);
        }
        double[] probs = new double[count];
        double mass = 0;
        for (int i = 0; i < count; i++) {
            probs[i] = p[order[i]];
            mass += probs[i];
        }
        return new Candidates(Arrays.copyOf(order, count), probs, count, mass);
    }

    /**
     * Ids with {@code p >= threshold} (the argmax always), by descending p (compared at float
     * precision) then ascending id. Sorts packed longs (probability bits, id) instead of boxed
     * indices: a few milliseconds for a 32k vocabulary.
     */
    private static int[] sortedDescending(double[] p, double threshold, int limit) {
        long[] keys = new long[p.length];
        int m = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] < threshold) continue;
            // Non-negative floats order like their bit patterns; invert so ascending sort = descending p.
            int bits = Float.floatToRawIntBits((float) p[i]);
            keys[m++] = ((long) (Integer.MAX_VALUE - bits) << 32) | i;
        }
        if (m == 0) return new int[] {argmaxOf(p)};
        if (limit < m) {
            selectSmallest(keys, m, limit); // top-k: only the first k need sorting
            m = limit;
        }
        Arrays.sort(keys, 0, m);
        int[] ids = new int[m];
        for (int i = 0; i < m; i++) ids[i] = (int) keys[i];
        return ids;
    }

    /** Rearranges {@code a[0..n)} so that its {@code k} smallest values come first (quickselect). */
    static void selectSmallest(long[] a, int n, int k) {
        int lo = 0, hi = n - 1;
        while (lo < hi) {
            long pivot = a[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    long t = a[i]; a[i] = a[j]; a[j] = t;
                    i++;
                    j--;
                }
            }
            // now a[lo..j] <= pivot <= a[i..hi]; keep narrowing to the part holding position k-1
            if (k - 1 <= j) hi = j;
            else if (k - 1 >= i) lo = i;
            else return;
        }
    }

    private static int argmaxOf(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    private static SamplingParams validate(SamplingParams p) {
        if (p == null) throw new IllegalArgumentException("sampling parameters must not be null");
        if (!(p.repeatPenalty() > 0) || Double.isInfinite(p.repeatPenalty()))
            throw new IllegalArgumentException("repeat penalty must be > 0, got " + p.repeatPenalty());
        if (p.repeatLastN() < -1) throw new IllegalArgumentException("repeat-last-n must be >= -1 (-1 = whole context), got " + p.repeatLastN());
        if (Double.isNaN(p.temperature()) || Double.isInfinite(p.temperature()))
            throw new IllegalArgumentException("temperature must be a finite number, got " + p.temperature());
        if (Double.isNaN(p.presencePenalty()) || Double.isNaN(p.frequencyPenalty()))
            throw new IllegalArgumentException("presence/frequency penalties must be numbers");
        return p;
    }
}
