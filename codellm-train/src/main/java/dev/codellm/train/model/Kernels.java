package dev.codellm.train.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The few dense primitives the trainer spends its time in, vectorised with the Vector API.
 * Row-major float arrays with explicit offsets keep them allocation-free.
 */
public final class Kernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private Kernels() {}

    /** Sum of a[ao+i]*b[bo+i] for i in [0,n). */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** y[yo+i] += alpha * x[xo+i]. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /**
     * y[t][o] = sum_i x[t][i] * w[o][i] for t &lt; rows (y = x W^T, W stored [out][in]).
     * Four output rows at a time so each x vector load feeds four FMAs.
     */
    public static void matmulT(float[] x, float[] w, float[] y, int rows, int in, int out) {
        int bound = S.loopBound(in);
        for (int t = 0; t < rows; t++) {
            int xo = t * in, yo = t * out;
            int o = 0;
            for (; o + 3 < out; o += 4) {
                int w0 = o * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                int i = 0;
                for (; i < bound; i += S.length()) {
                    FloatVector xv = FloatVector.fromArray(S, x, xo + i);
                    a0 = xv.fma(FloatVector.fromArray(S, w, w0 + i), a0);
                    a1 = xv.fma(FloatVector.fromArray(S, w, w1 + i), a1);
                    a2 = xv.fma(FloatVector.fromArray(S, w, w2 + i), a2);
                    a3 = xv.fma(FloatVector.fromArray(S, w, w3 + i), a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
                for (; i < in; i++) {
                    float xv = x[xo + i];
                    s0 += xv * w[w0 + i]; s1 += xv * w[w1 + i]; s2 += xv * w[w2 + i]; s3 += xv * w[w3 + i];
                }
                y[yo + o] = s0; y[yo + o + 1] = s1; y[yo + o + 2] = s2; y[yo + o + 3] = s3;
            }
            for (; o < out; o++) y[yo + o] = dot(x, xo, w, o * in, in);
        }
    }

    /** dx[t][i] += sum_o dy[t][o] * w[o][i]  (input gradient of y = x W^T). */
    public static void matmulAccumulate(float[] dy, float[] w, float[] dx, int rows, int in, int out) {
        for (int t = 0; t < rows; t++) {
            int dyo = t * out, dxo = t * in;
            for (int o = 0; o < out; o++) {
                float g = dy[dyo + o];
                if (g != 0f) axpy(g, w, o * in, dx, dxo, in);
            }
        }
    }

    /** dw[o][i] += sum_t dy[t][o] * x[t][i]  (weight gradient of y = x W^T). */
    public static void outerAccumulate(float[] dy, float[] x, float[] dw, int rows, int in, int out) {
        int bound = S.loopBound(in);
        for (int o = 0; o < out; o++) {
            int wo = o * in;
            int t = 0;
            // two rows of x per pass halve the loads/stores of dw
            for (; t + 1 < rows; t += 2) {
                float g0 = dy[t * out + o], g1 = dy[(t + 1) * out + o];
                if (g0 == 0f && g1 == 0f) continue;
                int x0 = t * in, x1 = x0 + in;
                FloatVector v0 = FloatVector.broadcast(S, g0), v1 = FloatVector.broadcast(S, g1);
                int i = 0;
                for (; i < bound; i += S.length()) {
                    FloatVector acc = FloatVector.fromArray(S, dw, wo + i);
                    acc = FloatVector.fromArray(S, x, x0 + i).fma(v0, acc);
                    acc = FloatVector.fromArray(S, x, x1 + i).fma(v1, acc);
                    acc.intoArray(dw, wo + i);
                }
                for (; i < in; i++) dw[wo + i] += g0 * x[x0 + i] + g1 * x[x1 + i];
            }
            for (; t < rows; t++) {
                float g = dy[t * out + o];
                if (g != 0f) axpy(g, x, t * in, dw, wo, in);
            }
        }
    }
}
