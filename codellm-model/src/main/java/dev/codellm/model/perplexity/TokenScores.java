package dev.codellm.model.perplexity;

/**
 * Negative log-likelihoods of the scored tokens of one text, with each token's position in its
 * window (how many tokens of context the model saw before predicting it).
 */
public record TokenScores(double[] nll, int[] position) {
    public int count() { return nll.length; }

    public double sum() {
        double s = 0;
        for (double v : nll) s += v;
        return s;
    }
}
