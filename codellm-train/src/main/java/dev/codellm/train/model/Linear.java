package dev.codellm.train.model;

import java.util.Random;

/**
 * y = x W^T (+ scale * (x A^T) B^T when a LoRA adapter is attached). W is [out][in] as in GGUF.
 * LoRA keeps W frozen and trains A [rank][in] and B [out][rank]; B starts at zero so the adapted
 * model starts exactly at the base model (Hu et al., 2021).
 */
public final class Linear {
    public final Param weight;
    public final int in, out;
    /** Slot of this layer's saved LoRA activation x A^T in {@link Activations#loraU}. */
    final int id;
    public Param loraA, loraB;
    public float loraScale;

    Linear(Param weight, int id) {
        this.weight = weight;
        this.in = weight.cols;
        this.out = weight.rows;
        this.id = id;
    }

    public int rank() { return loraA == null ? 0 : loraA.rows; }

    public void attachLora(ParamSet params, int rank, float alpha, Random rnd) {
        loraA = params.add(weight.name + ".lora_a", rank, in, false);
        loraB = params.add(weight.name + ".lora_b", out, rank, false);
        loraScale = alpha / rank;
        float std = (float) (1.0 / Math.sqrt(in));
        for (int i = 0; i < loraA.data.length; i++) loraA.data[i] = (float) (rnd.nextGaussian() * std);
    }

    /** y = layer(x) for rows of x; u receives x A^T (rows*rank) when LoRA is attached. */
    void forward(float[] x, int rows, float[] y, float[] u) {
        Kernels.matmulT(x, weight.data, y, rows, in, out);
        if (loraA != null) {
            int r = rank();
            Kernels.matmulT(x, loraA.data, u, rows, in, r);
            float[] tmp = new float[rows * out];
            Kernels.matmulT(u, loraB.data, tmp, rows, r, out);
            Kernels.axpy(loraScale, tmp, 0, y, 0, rows * out);
        }
    }

    /** Accumulates dx and the trainable parameters' gradients from dy. */
    void backward(float[] dy, float[] x, int rows, float[] dx, float[][] grads, float[] u) {
        float[] gw = grads[weight.index];
        if (gw != null) Kernels.outerAccumulate(dy, x, gw, rows, in, out);
        Kernels.matmulAccumulate(dy, weight.data, dx, rows, in, out);
        if (loraA != null) {
            int r = rank();
            float[] dys = new float[rows * out];
            Kernels.axpy(loraScale, dy, 0, dys, 0, rows * out);
            float[] gb = grads[loraB.index];
            if (gb != null) Kernels.outerAccumulate(dys, u, gb, rows, r, out);
            float[] du = new float[rows * r];
            Kernels.matmulAccumulate(dys, loraB.data, du, rows, r, out);
            float[] ga = grads[loraA.index];
            if (ga != null) Kernels.outerAccumulate(du, x, ga, rows, in, r);
            Kernels.matmulAccumulate(du, loraA.data, dx, rows, in, r);
        }
    }

    /** Folds the adapter into W (W += scale * B A) and detaches it. */
    public void mergeLora() {
        if (loraA == null) return;
        int r = rank();
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < r; k++) {
                Kernels.axpy(loraScale * loraB.data[o * r + k], loraA.data, k * in, weight.data, o * in, in);
            }
        }
        loraA = null;
        loraB = null;
    }
}
