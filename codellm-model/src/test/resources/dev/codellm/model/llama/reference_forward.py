#!/usr/bin/python3
"""Independent numpy reference of the Llama forward pass (float64), for LlamaReferenceTest.

Usage: reference_forward.py DIR
DIR/config.json: dim, layers, heads, kv_heads, ffn, vocab, eps, theta, prompt (token ids), greedy (steps),
                 tied (bool); DIR/<tensor name>.f32: the dequantized tensor, row-major as PyTorch sees it
                 ([rows, cols] for matrices: ggml shape reversed).
Writes DIR/reference.txt: one line of space-separated logits per prompt position, then a line of
the greedy continuation's token ids.
Written from the architecture description (RMSNorm, rotary embeddings on adjacent pairs, grouped-query
causal attention, SwiGLU); nothing shared with the Java engine.
"""
import json
import sys
import numpy as np

d = sys.argv[1]
cfg = json.load(open(d + "/config.json"))
dim, L, H, KV, ffn, V = cfg["dim"], cfg["layers"], cfg["heads"], cfg["kv_heads"], cfg["ffn"], cfg["vocab"]
hd = dim // H


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


def rmsnorm(x, w):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + cfg["eps"]) * w


def rope(x, pos):
    # x: [T, heads, hd]; pairs (2i, 2i+1) rotate by pos * theta^(-2i/hd)
    inv = cfg["theta"] ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
    ang = np.asarray(pos, dtype=np.float64)[:, None] * inv[None, :]
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
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
        q = rope((h @ b["q"].T).reshape(T, H, hd), pos)
        kc.extend(rope((h @ b["k"].T).reshape(T, KV, hd), pos))
        vc.extend((h @ b["v"].T).reshape(T, KV, hd))
        k, v = np.array(kc), np.array(vc)
        mask = np.where(np.arange(start + T)[None, :] > pos[:, None], -np.inf, 0.0)
        att = np.empty((T, H, hd))
        for hh in range(H):
            kvh = hh // (H // KV)
            sc = q[:, hh, :] @ k[:, kvh, :].T / np.sqrt(hd) + mask
            sc = np.exp(sc - sc.max(axis=1, keepdims=True))
            sc /= sc.sum(axis=1, keepdims=True)
            att[:, hh, :] = sc @ v[:, kvh, :]
        x = x + att.reshape(T, dim) @ b["o"].T
        h = rmsnorm(x, b["fn"])
        g = h @ b["g"].T
        x = x + ((g / (1 + np.exp(-g))) * (h @ b["up"].T)) @ b["dn"].T
    return rmsnorm(x, out_norm) @ out_w.T


prompt = list(cfg["prompt"])
cache = [([], []) for _ in range(L)]
logits = forward(prompt, cache)
greedy = []
last = logits[-1]
for _ in range(cfg["greedy"]):
    nxt = int(np.argmax(last))
    greedy.append(nxt)
    last = forward([nxt], cache)[-1]
with open(d + "/reference.txt", "w") as f:
    for row in logits:
        f.write(" ".join(repr(float(v)) for v in row) + "\n")
    f.write(" ".join(str(t) for t in greedy) + "\n")
