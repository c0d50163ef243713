#!/usr/bin/python3
"""Independent numpy reference of the Llama forward pass (float64), for LlamaReferenceTest.

Usage: reference_forward.py DIR
DIR/config.json: dim, layers, heads, kv_heads, ffn, vocab, eps, theta, rope_scaling (optional, as
                 rope_reference.py takes it), prompt (token ids), greedy (steps),
                 tied (bool), q8_activations (bool, optional); DIR/<tensor name>.f32: the dequantized tensor, row-major as PyTorch sees it
                 ([rows, cols] for matrices: ggml shape reversed).
Writes DIR/reference.txt: one line of space-separated logits per prompt position (only those of
config's report_positions when given: a 16k-token prompt's every row would be 100 MB), then a line of
the greedy continuation's token ids, then a line of each greedy step's margin (best logit minus
the runner-up: where it is tiny, a path with other rounding may legitimately pick the runner-up),
then one line of logits per greedy step (the logits that chose that step's token).
Written from the architecture description (RMSNorm, rotary embeddings on adjacent pairs, grouped-query
causal attention, SwiGLU); nothing shared with the Java engine.

With q8_activations, the input of every weight matmul is first rounded to 8-bit blocks the way the
native int8 kernels quantize activations (codellm_activations.c, cl_quantize_q8_0): per block of 32
consecutive values of a token's row, in float32, d = max|x| / 127, id = 1/d (0 when d = 0),
q = round-to-nearest-even(x * id) (C's lrintf in the default rounding mode), and the matmul then
sees q * d. The weights stay the same dequantized floats.

With bf16_activations, the input of every weight matmul is first rounded to bfloat16 the way the
native vdpbf16ps kernel's activations are (codellm_f16.c, cl_round_bf16): the float32 value's
upper 16 bits, rounded to nearest even on the lower 16 (bit arithmetic here, no shared code).
"""
import json
import os
import sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rope_reference import rope_table  # noqa: E402

d = sys.argv[1]
cfg = json.load(open(d + "/config.json"))
dim, L, H, KV, ffn, V = cfg["dim"], cfg["layers"], cfg["heads"], cfg["kv_heads"], cfg["ffn"], cfg["vocab"]
hd = dim // H
Q8 = bool(cfg.get("q8_activations", False))
BF16 = bool(cfg.get("bf16_activations", False))


def load(name, shape):
    return np.fromfile(d + "/" + name + ".f32", dtype="<f4").astype(np.float64).reshape(shape)


emb = load("token_embd.weight", (V, dim))
out_w = emb if cfg["tied"] else load("output.weight", (V, dim))
out_norm = load("output_norm.weight", (dim,))
blocks = []
for l in range(L):
    p = "blk.%d." % l
    blocks.append(dict(
        an=load(p + "attn_norm.weight", (dim,)), q=load(p + "attn_q.weight", (dim, dim)),
        k=load(p + "attn_k.weight", (KV * hd, dim)), v=load(p + "attn_v.weight", (KV * hd, dim)),
        o=load(p + "attn_output.weight", (dim, dim)), fn=load(p + "ffn_norm.weight", (dim,)),
        g=load(p + "ffn_gate.weight", (ffn, dim)), dn=load(p + "ffn_down.weight", (dim, ffn)),
        up=load(p + "ffn_up.weight", (ffn, dim))))


def q8(x):
    """x rounded to the native kernels' 8-bit activation blocks (see the module comment)."""
    if not Q8:
        return x
    b = x.astype(np.float32).reshape(-1, 32)
    d = np.abs(b).max(axis=1, keepdims=True) / np.float32(127)
    inv = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d != 0)
    q = np.rint(b * inv)
    return (q.astype(np.float64) * d.astype(np.float64)).reshape(x.shape)


def bf16(x):
    """x rounded to bfloat16, nearest even (see the module comment)."""
    if not BF16:
        return x
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return u.astype(np.uint32).view(np.float32).astype(np.float64).reshape(x.shape)


def matmul(x, w):
    """x @ w.T for a weight matrix w (rows = outputs), with the activations as the kernels see them."""
    return bf16(q8(x)) @ w.T


def rmsnorm(x, w):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + cfg["eps"]) * w


def rope(x, pos):
    # x: [T, heads, hd]; pair (2i, 2i+1) turns by the angle rope_reference.py gives (theta, scaling)
    c, s = rope_table(pos, {"dims": hd, "theta": cfg["theta"], "scaling": cfg.get("rope_scaling")})
    c, s = c[:, None, :], s[:, None, :]
    x0, x1 = x[..., 0::2], x[..., 1::2]
    y = np.empty_like(x)
    y[..., 0::2] = x0 * c - x1 * s
    y[..., 1::2] = x0 * s + x1 * c
    return y


def forward(tokens, cache):
    """Logits for `tokens` placed after the len(cache[0][0]) positions already in `cache`
    (per layer: lists of rotated keys and values), which it extends."""
    T = len(tokens)
    start = len(cache[0][0])
    pos = np.arange(start, start + T)
    x = emb[tokens]
    for b, (kc, vc) in zip(blocks, cache):
        h = rmsnorm(x, b["an"])
        q = rope((matmul(h, b["q"])).reshape(T, H, hd), pos)
        kc.extend(rope((matmul(h, b["k"])).reshape(T, KV, hd), pos))
        vc.extend((matmul(h, b["v"])).reshape(T, KV, hd))
        k, v = np.array(kc), np.array(vc)
        att = np.empty((T, H, hd))
        for q0 in range(0, T, 1024):  # query blocks: a 16k-token prompt would need 2 GB of scores at once
            qs = slice(q0, min(T, q0 + 1024))
            mask = np.where(np.arange(start + T)[None, :] > pos[qs, None], -np.inf, 0.0)
            for hh in range(H):
                kvh = hh // (H // KV)
                sc = q[qs, hh, :] @ k[:, kvh, :].T / np.sqrt(hd) + mask
                sc = np.exp(sc - sc.max(axis=1, keepdims=True))
                sc /= sc.sum(axis=1, keepdims=True)
                att[qs, hh, :] = sc @ v[:, kvh, :]
        x = x + matmul(att.reshape(T, dim), b["o"])
        h = rmsnorm(x, b["fn"])
        g = matmul(h, b["g"])
        x = x + matmul((g / (1 + np.exp(-g))) * matmul(h, b["up"]), b["dn"])
    return matmul(rmsnorm(x, out_norm), out_w)


def main():
    prompt = list(cfg["prompt"])
    cache = [([], []) for _ in range(L)]
    logits = forward(prompt, cache)
    greedy, margins, steps = [], [], []
    last = logits[-1]
    for _ in range(cfg["greedy"]):
        nxt = int(np.argmax(last))
        greedy.append(nxt)
        steps.append(last)
        top2 = np.sort(last)[-2:]
        margins.append(float(top2[1] - top2[0]))
        last = forward([nxt], cache)[-1]
    with open(d + "/reference.txt", "w") as f:
        for row in (logits if "report_positions" not in cfg else logits[cfg["report_positions"]]):
            f.write(" ".join(repr(float(v)) for v in row) + "\n")
        f.write(" ".join(str(t) for t in greedy) + "\n")
        f.write(" ".join(repr(m) for m in margins) + "\n")
        for row in steps:
            f.write(" ".join(repr(float(v)) for v in row) + "\n")


if __name__ == "__main__":  # reference_perplexity.py imports the forward pass
    main()
