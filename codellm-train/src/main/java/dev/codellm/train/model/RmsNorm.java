package dev.codellm.train.model;

/** y = x / sqrt(mean(x^2) + eps) * g, row by row. */
final class RmsNorm {
    private RmsNorm() {}

    /** Normalises one row; returns the inverse RMS the backward pass needs. */
    static float forward(float[] x, int xo, float[] g, float[] y, int yo, int n, float eps) {
        float ss = Kernels.dot(x, xo, x, xo, n);
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) y[yo + i] = x[xo + i] * inv * g[i];
        return inv;
    }

    /** dx += d(norm)/dx · dy ; dg += dy * x * inv (dg may be null when the gain is frozen). */
    static void backward(float[] dy, int dyo, float[] x, int xo, float[] g, float inv, float[] dx, int dxo, float[] dg, int n) {
        // With n_i = x_i*inv and e_i = dy_i*g_i: dx_i = inv * (e_i - n_i * mean(e·n)).
        double dotEn = 0;
        for (int i = 0; i < n; i++) dotEn += dy[dyo + i] * g[i] * x[xo + i] * inv;
        float mean = (float) (dotEn / n);
        for (int i = 0; i < n; i++) {
            float ni = x[xo + i] * inv;
            dx[dxo + i] += inv * (dy[dyo + i] * g[i] - ni * mean);
            if (dg != null) dg[i] += dy[dyo + i] * ni;
        }
    }
}
