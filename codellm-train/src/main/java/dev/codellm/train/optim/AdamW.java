package dev.codellm.train.optim;

import dev.codellm.train.model.Param;
import java.util.List;

/**
 * AdamW (Loshchilov &amp; Hutter): Adam moments with bias correction and decoupled weight decay,
 * applied only to matrices. The moments are part of a checkpoint so a resumed run continues
 * exactly where it stopped.
 */
public final class AdamW {
    public final double beta1, beta2, eps, weightDecay;
    /** First and second moments per parameter index (null for frozen parameters). */
    public final float[][] m, v;
    /** Number of updates applied so far (for bias correction). */
    public long t;

    public AdamW(List<Param> params, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        m = new float[params.size()][];
        v = new float[params.size()][];
        for (Param p : params) if (p.trainable) { m[p.index] = new float[p.size()]; v[p.index] = new float[p.size()]; }
    }

    /** Global L2 norm of the gradients. */
    public static double norm(float[][] grads) {
        double s = 0;
        for (float[] g : grads) if (g != null) for (float x : g) s += (double) x * x;
        return Math.sqrt(s);
    }

    /**
     * One update with learning rate lr. Gradients are first scaled so their global norm is at
     * most clip (no clipping when clip &lt;= 0). Returns the pre-clip gradient norm.
     */
    public double step(List<Param> params, float[][] grads, double lr, double clip) {
        double gn = norm(grads);
        float gscale = clip > 0 && gn > clip ? (float) (clip / gn) : 1f;
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        float b1 = (float) beta1, b2 = (float) beta2;
        for (Param p : params) {
            float[] g = grads[p.index];
            if (g == null || !p.trainable) continue;
            float[] mm = m[p.index], vv = v[p.index], w = p.data;
            float decay = p.decay ? (float) (1 - lr * weightDecay) : 1f;
            float stepSize = (float) (lr / bc1), e = (float) eps, invBc2 = (float) (1 / bc2);
            for (int i = 0; i < w.length; i++) {
                float gi = g[i] * gscale;
                mm[i] = b1 * mm[i] + (1 - b1) * gi;
                vv[i] = b2 * vv[i] + (1 - b2) * gi * gi;
                w[i] = w[i] * decay - stepSize * mm[i] / ((float) Math.sqrt(vv[i] * invBc2) + e);
            }
        }
        return gn;
    }
}
