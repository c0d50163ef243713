package dev.codellm.model.perplexity;

import dev.codellm.core.CodellmException;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Scores a token sequence under a model by {@link PerplexityMethod}: plans the windows, runs each
 * on one reused KV cache (chunks of rows that need no logits skip the classifier) and keeps the
 * negative log-likelihood of every scored token, computed in double as llama-perplexity does
 * (log-softmax with the maximum subtracted).
 */
public final class PerplexityScorer {
    /** Rows per forward call: bounds the logits held at once (rows × vocab floats). */
    static final int CHUNK = 256;

    private final LlamaModel model;
    private final PerplexityMethod method;
    private final int ctx;
    private final int stride;
    private final int bos;
    private final Session session;

    /**
     * @param stride for {@link PerplexityMethod#SLIDING}: tokens between window starts (1..ctx)
     * @param bos    the BOS id llama.cpp puts first in every window, or -1 when the model adds none
     */
    public PerplexityScorer(LlamaModel model, KvType kvType, PerplexityMethod method, int ctx, int stride, int bos) {
        if (ctx < 2) throw new CodellmException("--ctx must be at least 2 for perplexity, got " + ctx);
        if (method == PerplexityMethod.SLIDING && (stride < 1 || stride > ctx))
            throw new CodellmException("--stride must be between 1 and --ctx (" + ctx + "), got " + stride);
        this.model = model;
        this.method = method;
        this.ctx = ctx;
        this.stride = stride;
        this.bos = bos;
        this.session = model.newSession(ctx, kvType);
    }

    /**
     * One forward window: tokens [start, start+length) of the text, rows [scoreFrom, scoreTo) of
     * its logits scored (row r predicts text token start+r+1), the first token replaced by BOS
     * when {@code bosFirst}.
     */
    record Window(int start, int length, int scoreFrom, int scoreTo, boolean bosFirst) {}

    /** The windows {@link #score} will run for a text of {@code n} tokens (empty when too short). */
    List<Window> plan(int n) {
        List<Window> w = new ArrayList<>();
        if (method == PerplexityMethod.LLAMA_CPP) {
            for (int i = 0; i + ctx <= n; i += ctx) w.add(new Window(i, ctx, ctx / 2, ctx - 1, bos >= 0));
            return w;
        }
        int prevEnd = 0;
        for (int begin = 0; begin < n; begin += stride) {
            int end = Math.min(begin + ctx, n);
            int first = Math.max(prevEnd, begin + 1);  // first scored token (text index)
            if (first < end) w.add(new Window(begin, end - begin, first - begin - 1, end - begin - 1, false));
            prevEnd = end;
            if (end == n) break;
        }
        return w;
    }

    /** Tokens the model will process for a text of {@code n} tokens (for progress totals). */
    public long workTokens(int n) {
        long t = 0;
        for (Window w : plan(n)) t += w.length();
        return t;
    }

    /** Scores {@code tokens}; {@code progress} receives the number of tokens processed as they go. */
    public TokenScores score(int[] tokens, LongConsumer progress) {
        List<Window> plan = plan(tokens.length);
        int total = 0;
        for (Window w : plan) total += w.scoreTo() - w.scoreFrom();
        double[] nll = new double[total];
        int[] pos = new int[total];
        int k = 0;
        for (Window w : plan) {
            int[] in = Arrays.copyOfRange(tokens, w.start(), w.start() + w.length());
            if (w.bosFirst()) in[0] = bos;
            session.truncate(0);
            for (int c = 0; c < in.length; c += CHUNK) {
                int n = Math.min(CHUNK, in.length - c);
                int[] piece = Arrays.copyOfRange(in, c, c + n);
                if (c + n <= w.scoreFrom() || c >= w.scoreTo()) {
                    model.forward(session, piece);  // context only: the last row's logits are discarded
                } else {
                    float[][] logits = model.forwardAll(session, piece);
                    for (int r = Math.max(c, w.scoreFrom()); r < Math.min(c + n, w.scoreTo()); r++) {
                        nll[k] = -logSoftmax(logits[r - c], tokens[w.start() + r + 1]);
                        pos[k++] = r + 1;
                    }
                }
                progress.accept(n);
            }
        }
        return new TokenScores(nll, pos);
    }

    /** log p(tok) under softmax(logits), in double. */
    static double logSoftmax(float[] logits, int tok) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        return logits[tok] - max - Math.log(sum);
    }
}
