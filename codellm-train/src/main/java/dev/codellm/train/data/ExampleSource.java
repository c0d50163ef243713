package dev.codellm.train.data;

/** Deterministic, random-access training rows: row i is the same on every run with the same seed. */
public interface ExampleSource {
    Example get(long index);

    /** Rows in one pass over the data (an epoch), or -1 when rows are generated on demand. */
    long size();
}
