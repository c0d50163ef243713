package dev.codellm.model.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Float-array SIMD primitives shared by the kernels and the forward pass. */
public final class VecMath {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private VecMath() {}

    /**
     * Σ of the lanes, always in one fixed order. {@code reduceLanes(ADD)} leaves the order of the float
     * adds to the implementation, and the interpreter's order is not C2's: the same dot product
     * then gives different last bits before and after compilation (seen as matmul results that
     * depended on the thread count). Every kernel reduces through here so results are reproducible.
     */
    public static float sum(FloatVector v) {
        if (v.length() == 8) {  // constant lane indices: C2 extracts them in registers
            return ((v.lane(0) + v.lane(1)) + (v.lane(2) + v.lane(3))) + ((v.lane(4) + v.lane(5)) + (v.lane(6) + v.lane(7)));
        }
        float s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    /** Index of the largest value; the first one on ties (as torch.argmax and llama2.c do). */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** Sum of a[ao+i]*b[bo+i] for i in [0,n). */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
        for (; i + 32 <= n; i += 32) {
            s0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), s0);
            s1 = FloatVector.fromArray(F, a, ao + i + 8).fma(FloatVector.fromArray(F, b, bo + i + 8), s1);
            s2 = FloatVector.fromArray(F, a, ao + i + 16).fma(FloatVector.fromArray(F, b, bo + i + 16), s2);
            s3 = FloatVector.fromArray(F, a, ao + i + 24).fma(FloatVector.fromArray(F, b, bo + i + 24), s3);
        }
        for (; i + 8 <= n; i += 8) s0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), s0);
        float s = sum(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /**
     * One weight row (w from {@code wo}) against four activation rows of x (row stride {@code n}, starting at
     * row {@code t}): out[k] = dot(w, x[t+k]). Loads each weight vector once for four FMAs, which is
     * what makes batched prompt processing compute- rather than load-bound.
     */
    public static void dot4(float[] w, int wo, float[] x, int t, int n, float[] out) {
        int b0 = t * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            FloatVector wv = FloatVector.fromArray(F, w, wo + i);
            s0 = wv.fma(FloatVector.fromArray(F, x, b0 + i), s0);
            s1 = wv.fma(FloatVector.fromArray(F, x, b1 + i), s1);
            s2 = wv.fma(FloatVector.fromArray(F, x, b2 + i), s2);
            s3 = wv.fma(FloatVector.fromArray(F, x, b3 + i), s3);
        }
        float r0 = sum(s0), r1 = sum(s1);
        float r2 = sum(s2), r3 = sum(s3);
        for (; i < n; i++) {
            float wi = w[wo + i];
            r0 += wi * x[b0 + i]; r1 += wi * x[b1 + i]; r2 += wi * x[b2 + i]; r3 += wi * x[b3 + i];
        }
        out[0] = r0; out[1] = r1; out[2] = r2; out[3] = r3;
    }

    /** y[yo+i] += a * x[xo+i]. */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector av = FloatVector.broadcast(F, a);
        for (; i + 8 <= n; i += 8) {
            av.fma(FloatVector.fromArray(F, x, xo + i), FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }
}
