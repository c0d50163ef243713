package dev.codellm.train.model;

import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.LlamaGguf;
import dev.codellm.model.llama.LlamaGguf.BlockTensor;
import dev.codellm.model.llama.Rope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The Llama architecture with a hand-written backward pass: token embedding, per block
 * RMSNorm → attention (RoPE on adjacent pairs as llama.cpp's {@code llama} arch, causal, GQA) →
 * residual → RMSNorm → SwiGLU → residual, final RMSNorm and a tied or separate output matrix.
 * Parameters are held as [out][in] with llama.cpp GGUF names, so a checkpoint is the GGUF.
 *
 * <p>Thread model: {@link #forward} and {@link #backward} only read parameters and write the
 * caller's {@link Activations} and gradient buffers, so workers can run sequences in parallel.
 */
public final class TrainableLlama {
    public final LlamaConfig config;
    public final ParamSet params = new ParamSet();
    public final Param tokEmb, outNorm, output;
    public final Block[] blocks;
    private final List<Linear> linears = new ArrayList<>();
    /** Per position, the engine's cos/sin table ({@link Rope#table}): rotary dimensions and scaling as the engine runs them. */
    private final float[][] ropeTables;

    /** One transformer block's parameters. */
    public static final class Block {
        public Param attnNorm, ffnNorm;
        public Linear wq, wk, wv, wo, gate, up, down;
        Linear[] linears() { return new Linear[] {wq, wk, wv, wo, gate, up, down}; }
    }

    public TrainableLlama(LlamaConfig c) {
        this.config = c;
        int D = c.dim(), KV = c.kvDim(), F = c.ffnDim();
        tokEmb = params.add(LlamaGguf.TOKEN_EMBD, c.vocabSize(), D, true);
        blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            Block b = new Block();
            b.attnNorm = params.add(BlockTensor.ATTN_NORM.name(l), 1, D, false);
            b.wq = linear(BlockTensor.ATTN_Q.name(l), D, D);
            b.wk = linear(BlockTensor.ATTN_K.name(l), KV, D);
            b.wv = linear(BlockTensor.ATTN_V.name(l), KV, D);
            b.wo = linear(BlockTensor.ATTN_OUTPUT.name(l), D, D);
            b.ffnNorm = params.add(BlockTensor.FFN_NORM.name(l), 1, D, false);
            b.gate = linear(BlockTensor.FFN_GATE.name(l), F, D);
            b.up = linear(BlockTensor.FFN_UP.name(l), F, D);
            b.down = linear(BlockTensor.FFN_DOWN.name(l), D, F);
            blocks[l] = b;
        }
        outNorm = params.add(LlamaGguf.OUTPUT_NORM, 1, D, false);
        output = c.tiedOutput() ? tokEmb : params.add(LlamaGguf.OUTPUT, c.vocabSize(), D, true);
        Rope rope = new Rope(c);
        ropeTables = new float[c.contextLength()][];
        for (int pos = 0; pos < c.contextLength(); pos++) ropeTables[pos] = rope.table(pos);
    }

    private Linear linear(String name, int out, int in) {
        Linear lin = new Linear(params.add(name, out, in, true), linears.size());
        linears.add(lin);
        return lin;
    }

    /** Every linear layer, in a stable order (LoRA targets are chosen from these). */
    public List<Linear> linears() { return List.copyOf(linears); }

    /** GPT-2 style init: N(0, 0.02), residual projections scaled by 1/sqrt(2*layers), gains 1. */
    public void initRandom(long seed) {
        Random rnd = new Random(seed);
        float resid = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        for (Param p : params.all()) {
            if (p.isVector()) { Arrays.fill(p.data, 1f); continue; }
            float std = p.name.endsWith("attn_output.weight") || p.name.endsWith("ffn_down.weight") ? resid : 0.02f;
            for (int i = 0; i < p.data.length; i++) p.data[i] = (float) (rnd.nextGaussian() * std);
        }
    }

    public Activations newActivations(int maxT) {
        if (maxT > config.contextLength()) throw new IllegalArgumentException("sequence " + maxT + " exceeds context " + config.contextLength());
        return new Activations(config, maxT, linears.toArray(Linear[]::new));
    }

    /**
     * Runs the model over tokens[0..T). With targets, returns the weighted sum of per-position
     * negative log-likelihoods (weight 0 positions are ignored) and leaves softmax probabilities
     * in the activations for {@link #backward}; without targets, leaves raw logits.
     */
    public double forward(int[] tokens, int[] targets, float[] weights, int T, Activations A) {
        LlamaConfig c = config;
        int D = c.dim(), V = c.vocabSize(), L = c.layers();
        for (int t = 0; t < T; t++) System.arraycopy(tokEmb.data, checkedToken(tokens[t]) * D, A.xIn[0], t * D, D);
        for (int l = 0; l < L; l++) {
            Block bl = blocks[l];
            float[] x = A.xIn[l];
            for (int t = 0; t < T; t++) A.inv1[l][t] = RmsNorm.forward(x, t * D, bl.attnNorm.data, A.h1[l], t * D, D, c.rmsEps());
            bl.wq.forward(A.h1[l], T, A.q[l], A.loraU[bl.wq.id]);
            bl.wk.forward(A.h1[l], T, A.k[l], A.loraU[bl.wk.id]);
            bl.wv.forward(A.h1[l], T, A.v[l], A.loraU[bl.wv.id]);
            rope(A.q[l], T, c.heads(), false);
            rope(A.k[l], T, c.kvHeads(), false);
            attention(A.q[l], A.k[l], A.v[l], A.att[l], A.ao[l], T);
            bl.wo.forward(A.ao[l], T, A.xMid[l], A.loraU[bl.wo.id]);
            Kernels.axpy(1f, x, 0, A.xMid[l], 0, T * D);
            float[] xm = A.xMid[l];
            for (int t = 0; t < T; t++) A.inv2[l][t] = RmsNorm.forward(xm, t * D, bl.ffnNorm.data, A.h2[l], t * D, D, c.rmsEps());
            bl.gate.forward(A.h2[l], T, A.a[l], A.loraU[bl.gate.id]);
            bl.up.forward(A.h2[l], T, A.b[l], A.loraU[bl.up.id]);
            float[] a = A.a[l], b = A.b[l], s = A.s[l];
            for (int i = 0, n = T * c.ffnDim(); i < n; i++) s[i] = silu(a[i]) * b[i];
            float[] next = l + 1 < L ? A.xIn[l + 1] : A.xFinal;
            bl.down.forward(s, T, next, A.loraU[bl.down.id]);
            Kernels.axpy(1f, xm, 0, next, 0, T * D);
        }
        for (int t = 0; t < T; t++) A.invF[t] = RmsNorm.forward(A.xFinal, t * D, outNorm.data, A.hF, t * D, D, c.rmsEps());
        Kernels.matmulT(A.hF, output.data, A.logits, T, D, V);
        if (targets == null) return 0;
        double loss = 0;
        for (int t = 0; t < T; t++) {
            int o = t * V;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < V; i++) max = Math.max(max, A.logits[o + i]);
            double sum = 0;
            for (int i = 0; i < V; i++) {
                float e = (float) Math.exp(A.logits[o + i] - max);
                A.logits[o + i] = e;
                sum += e;
            }
            float invSum = (float) (1.0 / sum);
            int target = targets[t];
            if (weights[t] != 0f) {
                checkedToken(target);
                loss += weights[t] * -Math.log(Math.max(A.logits[o + target] * invSum, 1e-30));
            }
            for (int i = 0; i < V; i++) A.logits[o + i] *= invSum;
        }
        return loss;
    }

    /**
     * Accumulates into grads the gradient of lossScale * (weighted NLL sum of the last forward).
     * Must follow a {@link #forward} with targets on the same activations.
     */
    public void backward(int[] tokens, int[] targets, float[] weights, int T, float lossScale, float[][] grads, Activations A) {
        LlamaConfig c = config;
        int D = c.dim(), V = c.vocabSize(), KV = c.kvDim(), F = c.ffnDim(), L = c.layers();
        float[] dlogits = A.logits;
        for (int t = 0; t < T; t++) {
            float w = weights[t] * lossScale;
            int o = t * V;
            if (w == 0f) { Arrays.fill(dlogits, o, o + V, 0f); continue; }
            for (int i = 0; i < V; i++) dlogits[o + i] *= w;
            dlogits[o + targets[t]] -= w;
        }
        float[] dx = A.dx, dh = A.dh;
        Arrays.fill(dh, 0, T * D, 0f);
        if (grads[output.index] != null) Kernels.outerAccumulate(dlogits, A.hF, grads[output.index], T, D, V);
        Kernels.matmulAccumulate(dlogits, output.data, dh, T, D, V);
        Arrays.fill(dx, 0, T * D, 0f);
        for (int t = 0; t < T; t++) RmsNorm.backward(dh, t * D, A.xFinal, t * D, outNorm.data, A.invF[t], dx, t * D, grads[outNorm.index], D);
        for (int l = L - 1; l >= 0; l--) {
            Block bl = blocks[l];
            // feed-forward: next = xMid + down(silu(gate h2) * up h2)
            Arrays.fill(A.ds, 0, T * F, 0f);
            bl.down.backward(dx, A.s[l], T, A.ds, grads, A.loraU[bl.down.id]);
            float[] a = A.a[l], b = A.b[l];
            for (int i = 0, n = T * F; i < n; i++) {
                float sig = sigmoid(a[i]);
                float g = A.ds[i];
                A.db[i] = g * a[i] * sig;
                A.da[i] = g * b[i] * sig * (1f + a[i] * (1f - sig));
            }
            Arrays.fill(dh, 0, T * D, 0f);
            bl.gate.backward(A.da, A.h2[l], T, dh, grads, A.loraU[bl.gate.id]);
            bl.up.backward(A.db, A.h2[l], T, dh, grads, A.loraU[bl.up.id]);
            for (int t = 0; t < T; t++) RmsNorm.backward(dh, t * D, A.xMid[l], t * D, bl.ffnNorm.data, A.inv2[l][t], dx, t * D, grads[bl.ffnNorm.index], D);
            // attention: xMid = xIn + wo(attn(rope(wq h1), rope(wk h1), wv h1))
            Arrays.fill(A.dao, 0, T * D, 0f);
            bl.wo.backward(dx, A.ao[l], T, A.dao, grads, A.loraU[bl.wo.id]);
            Arrays.fill(A.dq, 0, T * D, 0f);
            Arrays.fill(A.dk, 0, T * KV, 0f);
            Arrays.fill(A.dv, 0, T * KV, 0f);
            attentionBackward(A.q[l], A.k[l], A.v[l], A.att[l], A.dao, A.dq, A.dk, A.dv, A.dp, T);
            rope(A.dq, T, c.heads(), true);
            rope(A.dk, T, c.kvHeads(), true);
            Arrays.fill(dh, 0, T * D, 0f);
            bl.wq.backward(A.dq, A.h1[l], T, dh, grads, A.loraU[bl.wq.id]);
            bl.wk.backward(A.dk, A.h1[l], T, dh, grads, A.loraU[bl.wk.id]);
            bl.wv.backward(A.dv, A.h1[l], T, dh, grads, A.loraU[bl.wv.id]);
            for (int t = 0; t < T; t++) RmsNorm.backward(dh, t * D, A.xIn[l], t * D, bl.attnNorm.data, A.inv1[l][t], dx, t * D, grads[bl.attnNorm.index], D);
        }
        float[] gEmb = grads[tokEmb.index];
        if (gEmb != null) for (int t = 0; t < T; t++) Kernels.axpy(1f, dx, t * D, gEmb, tokens[t] * D, D);
    }

    /**
     * Rotates adjacent pairs (x[2i], x[2i+1]), i below the rotary dimension count, of every head by
     * the position's angle; inverse applies the transpose (the backward pass of the rotation, YaRN's
     * magnitude scale included).
     */
    private void rope(float[] x, int T, int nHeads, boolean inverse) {
        int hd = config.headDim(), rd = config.ropeDim(), width = nHeads * hd;
        for (int t = 0; t < T; t++) {
            float[] table = ropeTables[t];
            for (int h = 0; h < nHeads; h++) {
                int base = t * width + h * hd;
                for (int i = 0; i < rd; i += 2) {
                    float cos = table[i], sin = inverse ? -table[i + 1] : table[i + 1];
                    float x0 = x[base + i], x1 = x[base + i + 1];
                    x[base + i] = x0 * cos - x1 * sin;
                    x[base + i + 1] = x0 * sin + x1 * cos;
                }
            }
        }
    }

    private void attention(float[] q, float[] k, float[] v, float[] att, float[] out, int T) {
        LlamaConfig c = config;
        int hd = c.headDim(), D = c.dim(), KV = c.kvDim(), group = c.heads() / c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        Arrays.fill(out, 0, T * D, 0f);
        for (int h = 0; h < c.heads(); h++) {
            int kh = h / group;
            for (int t = 0; t < T; t++) {
                int row = (h * T + t) * T;
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    float sc = Kernels.dot(q, t * D + h * hd, k, s * KV + kh * hd, hd) * scale;
                    att[row + s] = sc;
                    max = Math.max(max, sc);
                }
                float sum = 0;
                for (int s = 0; s <= t; s++) {
                    float e = (float) Math.exp(att[row + s] - max);
                    att[row + s] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int s = 0; s <= t; s++) {
                    att[row + s] *= inv;
                    Kernels.axpy(att[row + s], v, s * KV + kh * hd, out, t * D + h * hd, hd);
                }
            }
        }
    }

    private void attentionBackward(float[] q, float[] k, float[] v, float[] att, float[] dOut,
                                   float[] dq, float[] dk, float[] dv, float[] dp, int T) {
        LlamaConfig c = config;
        int hd = c.headDim(), D = c.dim(), KV = c.kvDim(), group = c.heads() / c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int h = 0; h < c.heads(); h++) {
            int kh = h / group;
            for (int t = 0; t < T; t++) {
                int row = (h * T + t) * T, qo = t * D + h * hd;
                float sum = 0;
                for (int s = 0; s <= t; s++) {
                    float p = att[row + s];
                    dp[s] = Kernels.dot(dOut, qo, v, s * KV + kh * hd, hd);
                    sum += p * dp[s];
                    Kernels.axpy(p, dOut, qo, dv, s * KV + kh * hd, hd);
                }
                for (int s = 0; s <= t; s++) {
                    float dsc = att[row + s] * (dp[s] - sum) * scale;
                    if (dsc == 0f) continue;
                    Kernels.axpy(dsc, k, s * KV + kh * hd, dq, qo, hd);
                    Kernels.axpy(dsc, q, qo, dk, s * KV + kh * hd, hd);
                }
            }
        }
    }

    private int checkedToken(int id) {
        if (id < 0 || id >= config.vocabSize()) throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + config.vocabSize());
        return id;
    }

    static float sigmoid(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); }
    static float silu(float x) { return x * sigmoid(x); }
}
