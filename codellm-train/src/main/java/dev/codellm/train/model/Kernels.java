package dev.codellm.train.model;

import dev.codellm.model.kernels.VecMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The few dense primitives the trainer spends its time in, vectorised with the Vector API, on
 * row-major float arrays with explicit offsets. The forward ones (dot, axpy, x·Wᵀ) are the
 * engine's {@link VecMath}; the backward products, which the engine has no use for, are here.
 */
public final class Kernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private Kernels() {}

    /** Sum of a[ao+i]*b[bo+i] for i in [0,n): the engine's SIMD dot. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return VecMath.dot(a, ao, b, bo, n);
    }

    /** y[yo+i] += alpha * x[xo+i]: the engine's axpy. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        VecMath.axpy(alpha, x, xo, y, yo, n);
    }

    /**
     * y[t][o] = sum_i x[t][i] * w[o][i] for t &lt; rows (y = x W^T, W stored [out][in]).
     * Four output rows at a time so each x vector load feeds four FMAs.
     */
    public static void matmulT(float[] x, float[] w, float[] y, int rows, int in, int out) {
        float[] four = new float[4];
        for (int t = 0; t < rows; t++) {
            int xo = t * in, yo = t * out;
            int o = 0;
            for (; o + 3 < out; o += 4) {
                VecMath.dot4(x, xo, w, o, in, four);  // rows o..o+3 of W against x[t]
                System.arraycopy(four, 0, y, yo + o, 4);
            }
            for (; o < out; o++) y[yo + o] = dot(x, xo, w, o * in, in);
        }
    }

    /**
     * dx[t][i] += sum_o dy[t][o] * w[o][i]  (input gradient of y = x W^T). Four rows of W per
     * pass, so each dx vector is loaded and stored once per four FMAs.
     */
    public static void matmulAccumulate(float[] dy, float[] w, float[] dx, int rows, int in, int out) {
        for (int t = 0; t < rows; t++) {
            int dyo = t * out, dxo = t * in;
            int o = 0;
            for (; o + 3 < out; o += 4) {
                axpy4(dy[dyo + o], dy[dyo + o + 1], dy[dyo + o + 2], dy[dyo + o + 3], w, o * in, dx, dxo, in);
            }
            for (; o < out; o++) {
                float g = dy[dyo + o];
                if (g != 0f) axpy(g, w, o * in, dx, dxo, in);
            }
        }
    }

    /** dw[o][i] += sum_t dy[t][o] * x[t][i]  (weight gradient of y = x W^T), four rows of x per pass. */
    public static void outerAccumulate(float[] dy, float[] x, float[] dw, int rows, int in, int out) {
        for (int o = 0; o < out; o++) {
            int wo = o * in;
            int t = 0;
            for (; t + 3 < rows; t += 4) {
                axpy4(dy[t * out + o], dy[(t + 1) * out + o], dy[(t + 2) * out + o], dy[(t + 3) * out + o], x, t * in, dw, wo, in);
            }
            for (; t < rows; t++) {
                float g = dy[t * out + o];
                if (g != 0f) axpy(g, x, t * in, dw, wo, in);
            }
        }
    }

    /**
     * y[yo+i] += g0*a[r+i] + g1*a[r+n+i] + g2*a[r+2n+i] + g3*a[r+3n+i] for i &lt; n: four consecutive
     * rows of {@code a} (length n each, from r) into one y row, loading and storing y once per four FMAs.
     * The inner step of both backward products (rows of W for dx, rows of x for dW).
     */
    private static void axpy4(float g0, float g1, float g2, float g3, float[] a, int r, float[] y, int yo, int n) {
        int r1 = r + n, r2 = r1 + n, r3 = r2 + n;
        FloatVector v0 = FloatVector.broadcast(S, g0), v1 = FloatVector.broadcast(S, g1);
        FloatVector v2 = FloatVector.broadcast(S, g2), v3 = FloatVector.broadcast(S, g3);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector acc = FloatVector.fromArray(S, y, yo + i);
            acc = FloatVector.fromArray(S, a, r + i).fma(v0, acc);
            acc = FloatVector.fromArray(S, a, r1 + i).fma(v1, acc);
            acc = FloatVector.fromArray(S, a, r2 + i).fma(v2, acc);
            acc = FloatVector.fromArray(S, a, r3 + i).fma(v3, acc);
            acc.intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += g0 * a[r + i] + g1 * a[r1 + i] + g2 * a[r2 + i] + g3 * a[r3 + i];
    }
}
