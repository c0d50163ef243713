package dev.codellm.server;

/**
 * What the embedding routes need from a backend: how an input is tokenized and its vector (see
 * the model module's {@code TextEmbedder}: mean-pooled last hidden state, unit length).
 */
public interface Embeddings {
    /** The tokens an input text is embedded as. */
    int[] tokens(String text);

    /** The unit-length embedding of {@code tokens}; throws the model module's planning errors on bad input. */
    float[] embed(int[] tokens);

    /** Length of every vector. */
    int dimension();
}
