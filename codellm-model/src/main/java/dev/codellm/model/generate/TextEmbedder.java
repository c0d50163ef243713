package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import dev.codellm.model.tokenizer.Tokenizer;

/**
 * Text embeddings from a generative model, as llama-server computes them with {@code --embeddings
 * --pooling mean}: the text tokenized with special tokens (BOS when the vocabulary adds it), run
 * through the model, the final hidden states (after the output norm) averaged over the tokens,
 * and the mean scaled to unit Euclidean length. One input at a time on its own KV cache.
 */
public final class TextEmbedder {
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final int contextLength;
    private final KvType kvType;
    private Session session;

    public TextEmbedder(LlamaModel model, Tokenizer tokenizer, int contextLength, KvType kvType) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.kvType = kvType;
    }

    /** Length of each embedding (the model's hidden size). */
    public int dimension() { return model.config().dim(); }

    /** The tokens an input is embedded as: BOS (if the vocabulary adds one) + the text, special tokens parsed. */
    public int[] tokens(String text) {
        return tokenizer.encode(text, tokenizer.addsBos(), true);
    }

    /** The unit-length mean of the hidden states of {@code tokens}. */
    public synchronized float[] embed(int[] tokens) {
        if (tokens.length == 0) throw new CodellmException("input is empty: nothing to embed");
        if (tokens.length > contextLength) throw new PromptTooLongException(tokens.length, contextLength);
        if (session == null) session = model.newSession(contextLength, kvType);
        session.truncate(0);
        float[][] states = model.hiddenStates(session, tokens);
        int dim = dimension();
        double[] sum = new double[dim];
        for (float[] h : states) for (int j = 0; j < dim; j++) sum[j] += h[j];
        double norm = 0;
        for (int j = 0; j < dim; j++) {
            sum[j] /= states.length;
            norm += sum[j] * sum[j];
        }
        norm = Math.sqrt(norm);
        float[] out = new float[dim];
        for (int j = 0; j < dim; j++) out[j] = norm > 0 ? (float) (sum[j] / norm) : 0f;
        return out;
    }
}
