package dev.codellm.model.llama;

/**
 * Rotary position embedding in llama.cpp's "normal" layout (used by GGUF files of the {@code llama}
 * architecture, whose converter permutes HF's Q/K rows so that adjacent pairs rotate together):
 * pair (2i, 2i+1) of each head turns by pos·θ^(−2i/ropeDim), with linear or YaRN scaling as ggml.
 * Public for the trainer, whose forward and backward passes rotate with these very tables.
 */
public final class Rope {
    private final int ropeDim;
    /**
     * θ^(−2i/ropeDim) in double: rounded to float32 (6e-8 relative) it would turn the fastest pairs
     * by ~1e-4 rad at position 4,096 and ~4e-3 rad at 100,000 (RopeLongContextTest).
     */
    private final double[] invFreq;
    private final float freqScale;
    private final float extFactor;
    private final float mscale;
    private final float corrLow;
    private final float corrHigh;

    public Rope(LlamaConfig c) {
        this(c, null);
    }

    /**
     * {@code freqFactors}: the file's {@code rope_freqs} tensor (llama3 scaling) or null; pair i's
     * frequency is divided by {@code freqFactors[i]}, as ggml's rope does with its freq_factors.
     */
    public Rope(LlamaConfig c, float[] freqFactors) {
        this.ropeDim = c.ropeDim();
        if (freqFactors != null && freqFactors.length != ropeDim / 2)
            throw new dev.codellm.core.CodellmException("rope_freqs has " + freqFactors.length + " factors, the rope needs " + ropeDim / 2);
        invFreq = new double[ropeDim / 2];
        for (int i = 0; i < ropeDim / 2; i++)
            invFreq[i] = Math.pow(c.ropeTheta(), -2.0 * i / ropeDim) / (freqFactors == null ? 1 : freqFactors[i]);
        RopeScaling s = c.ropeScaling();
        freqScale = s.freqScale();
        if (s.type() == RopeScaling.Type.YARN) {
            extFactor = 1f;
            mscale = (float) (1 + 0.1 * Math.log(1.0 / freqScale));
            int orig = s.originalContext() > 0 ? s.originalContext() : c.contextLength();
            corrLow = (float) Math.max(0, Math.floor(corrDim(ropeDim, orig, 32, c.ropeTheta())));
            corrHigh = (float) Math.min(ropeDim - 1, Math.ceil(corrDim(ropeDim, orig, 1, c.ropeTheta())));
        } else {
            extFactor = 0f;
            mscale = 1f;
            corrLow = corrHigh = 0;
        }
    }

    private static double corrDim(int nDims, int nCtxOrig, double nRot, double base) {
        return nDims * Math.log(nCtxOrig / (nRot * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /** cos/sin for every pair at position {@code pos}, interleaved: table[2i] = cos, table[2i+1] = sin. */
    public float[] table(int pos) {
        float[] t = new float[ropeDim];
        for (int i = 0; i < ropeDim / 2; i++) {
            double theta = angle(i, pos);
            t[2 * i] = (float) (Math.cos(theta) * mscale);
            t[2 * i + 1] = (float) (Math.sin(theta) * mscale);
        }
        return t;
    }

    /**
     * The rotation that moves a key already rotated for position p to position p + {@code delta}
     * (negative for a context shift): pair i's angle is linear in the position, also with linear
     * and YaRN scaling, so this is the table of {@code delta} without YaRN's magnitude factor
     * (the stored key carries it once already).
     */
    float[] shiftTable(int delta) {
        float[] t = new float[ropeDim];
        for (int i = 0; i < ropeDim / 2; i++) {
            double theta = angle(i, delta);
            t[2 * i] = (float) Math.cos(theta);
            t[2 * i + 1] = (float) Math.sin(theta);
        }
        return t;
    }

    /** Pair i's angle at {@code pos}, as ggml computes it (YaRN's ramp mixes interpolated and extrapolated angles). */
    private double angle(int i, int pos) {
        double extrap = pos * invFreq[i];
        double theta = freqScale * extrap;
        if (extFactor != 0) {
            double y = (i - corrLow) / Math.max(0.001, corrHigh - corrLow);
            double ramp = (1 - Math.min(1, Math.max(0, y))) * extFactor;
            theta = theta * (1 - ramp) + extrap * ramp;
        }
        return theta;
    }

    /** Rotates {@code nHeads} heads of size {@code headDim} at x[xo..] using a {@link #table}. */
    void apply(float[] x, int xo, int nHeads, int headDim, float[] table) {
        for (int h = 0; h < nHeads; h++) {
            int b = xo + h * headDim;
            for (int i = 0; i < ropeDim; i += 2) {
                float c = table[i], s = table[i + 1];
                float x0 = x[b + i], x1 = x[b + i + 1];
                x[b + i] = x0 * c - x1 * s;
                x[b + i + 1] = x0 * s + x1 * c;
            }
        }
    }
}
