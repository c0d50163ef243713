package dev.codellm.train.data;

/**
 * One training row: inputs, next-token targets and per-position loss weights (0 = no loss:
 * padding, prompts under SFT). Only the first {@code length} positions are used.
 */
public record Example(int[] tokens, int[] targets, float[] weights, int length) {
    public float weightSum() {
        float s = 0;
        for (int i = 0; i < length; i++) s += weights[i];
        return s;
    }
}
