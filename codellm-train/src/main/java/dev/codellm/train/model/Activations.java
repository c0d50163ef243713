package dev.codellm.train.model;

import dev.codellm.model.llama.LlamaConfig;

/**
 * What one worker's forward pass over one sequence keeps for the backward pass, plus the
 * gradient scratch of that pass. Allocated once per worker for the longest sequence and reused.
 */
public final class Activations {
    final int maxT;
    final float[][] xIn, h1, q, k, v, att, ao, xMid, h2, a, b, s;
    final float[][] inv1, inv2;
    final float[][] loraU;
    final float[] xFinal, invF, hF, logits;
    // backward scratch
    final float[] dx, dh, dq, dk, dv, dao, da, db, ds, dp;

    Activations(LlamaConfig c, int maxT, Linear[] linears) {
        this.maxT = maxT;
        int L = c.layers(), D = c.dim(), KV = c.kvDim(), F = c.ffnDim(), H = c.heads();
        xIn = new float[L][maxT * D];
        h1 = new float[L][maxT * D];
        q = new float[L][maxT * D];
        k = new float[L][maxT * KV];
        v = new float[L][maxT * KV];
        att = new float[L][H * maxT * maxT];
        ao = new float[L][maxT * D];
        xMid = new float[L][maxT * D];
        h2 = new float[L][maxT * D];
        a = new float[L][maxT * F];
        b = new float[L][maxT * F];
        s = new float[L][maxT * F];
        inv1 = new float[L][maxT];
        inv2 = new float[L][maxT];
        loraU = new float[linears.length][];
        for (Linear lin : linears) if (lin.rank() > 0) loraU[lin.id] = new float[maxT * lin.rank()];
        xFinal = new float[maxT * D];
        invF = new float[maxT];
        hF = new float[maxT * D];
        logits = new float[maxT * c.vocabSize()];
        dx = new float[maxT * D];
        dh = new float[maxT * D];
        dq = new float[maxT * D];
        dk = new float[maxT * KV];
        dv = new float[maxT * KV];
        dao = new float[maxT * D];
        da = new float[maxT * F];
        db = new float[maxT * F];
        ds = new float[maxT * F];
        dp = new float[maxT];
    }
}
