package dev.codellm.server;

import java.util.ArrayList;
import java.util.List;

/** Log-probabilities from raw logits (log-softmax), as reported by OpenAI's {@code logprobs}. */
final class Logprobs {
    private Logprobs() {}

    static TokenLogprob of(float[] logits, int chosen, int top, BatchBackend model) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double logZ = max + Math.log(sum);
        List<TokenLogprob.Alternative> alts = new ArrayList<>(top);
        boolean[] taken = new boolean[logits.length];
        for (int k = 0; k < Math.min(top, logits.length); k++) {
            int best = -1;
            for (int i = 0; i < logits.length; i++) {
                if (!taken[i] && (best < 0 || logits[i] > logits[best])) best = i;
            }
            taken[best] = true;
            alts.add(new TokenLogprob.Alternative(model.piece(best), logits[best] - logZ));
        }
        return new TokenLogprob(model.piece(chosen), logits[chosen] - logZ, alts);
    }
}
