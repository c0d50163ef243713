package dev.codellm.train.model;

/**
 * One weight tensor, row-major [rows][cols] (cols contiguous), named as in llama.cpp GGUFs.
 * Frozen parameters (the base model under LoRA) get no gradient buffer and no optimizer state.
 */
public final class Param {
    public final String name;
    public final int rows, cols;
    public final float[] data;
    /** Position in {@link ParamSet}, used to index per-worker gradient buffers. */
    public final int index;
    public boolean trainable = true;
    /** AdamW decays matrices, not norm gains. */
    public final boolean decay;

    Param(String name, int rows, int cols, int index, boolean decay) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.data = new float[Math.multiplyExact(rows, cols)];
        this.index = index;
        this.decay = decay;
    }

    public int size() { return data.length; }
    public boolean isVector() { return rows == 1; }
}
