"""Independent float64 numpy reference for the Java trainer's Llama forward pass and loss.

Reads <dir>/case.json (config, tokens, targets, weights, parameter names/shapes, probes) and
<dir>/params.bin (float32 little-endian, parameters concatenated in case.json order). Prints JSON:
the weighted mean NLL and, for every probe (param, flat index), the central finite-difference
gradient of that loss. Written from the Llama paper / llama.cpp semantics, not from the Java code.
"""
import json
import sys

import numpy as np


def load(d):
    case = json.load(open(d + "/case.json"))
    flat = np.fromfile(d + "/params.bin", dtype="<f4").astype(np.float64)
    params, off = {}, 0
    for p in case["params"]:
        n = p["rows"] * p["cols"]
        params[p["name"]] = flat[off:off + n].reshape(p["rows"], p["cols"])
        off += n
    assert off == flat.size
    return case, params


def rmsnorm(x, g, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g.reshape(-1)


def rope(x, n_heads, theta):
    # x: [T, n_heads*hd]; rotate adjacent pairs (llama.cpp "norm" rope mode)
    T, width = x.shape
    hd = width // n_heads
    xs = x.reshape(T, n_heads, hd // 2, 2)
    pos = np.arange(T)[:, None]
    freqs = theta ** (-2.0 * np.arange(hd // 2) / hd)
    ang = pos * freqs[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    x0, x1 = xs[..., 0], xs[..., 1]
    out = np.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos], -1)
    return out.reshape(T, width)


def linear(params, name, x, lora_scale):
    w = params[name]
    if name + ".lora_a" in params:
        w = w + lora_scale[name] * params[name + ".lora_b"] @ params[name + ".lora_a"]
    return x @ w.T


def loss(case, params):
    c = case["config"]
    D, H, KV, L, eps = c["dim"], c["heads"], c["kvHeads"], c["layers"], c["normEps"]
    hd = D // H
    ls = case.get("loraScale", {})
    tokens, targets = np.array(case["tokens"]), np.array(case["targets"])
    weights = np.array(case["weights"], dtype=np.float64)
    T = len(tokens)
    x = params["token_embd.weight"][tokens]
    mask = np.tril(np.ones((T, T), dtype=bool))
    for l in range(L):
        p = "blk.%d." % l
        h = rmsnorm(x, params[p + "attn_norm.weight"], eps)
        q = rope(linear(params, p + "attn_q.weight", h, ls), H, c["ropeTheta"]).reshape(T, H, hd)
        k = rope(linear(params, p + "attn_k.weight", h, ls), KV, c["ropeTheta"]).reshape(T, KV, hd)
        v = linear(params, p + "attn_v.weight", h, ls).reshape(T, KV, hd)
        rep = H // KV
        k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
        s = np.einsum("thd,shd->hts", q, k) / np.sqrt(hd)
        s = np.where(mask[None], s, -np.inf)
        s = np.exp(s - s.max(-1, keepdims=True))
        a = s / s.sum(-1, keepdims=True)
        o = np.einsum("hts,shd->thd", a, v).reshape(T, D)
        x = x + linear(params, p + "attn_output.weight", o, ls)
        h = rmsnorm(x, params[p + "ffn_norm.weight"], eps)
        g = linear(params, p + "ffn_gate.weight", h, ls)
        u = linear(params, p + "ffn_up.weight", h, ls)
        x = x + linear(params, p + "ffn_down.weight", g / (1 + np.exp(-g)) * u, ls)
    h = rmsnorm(x, params["output_norm.weight"], eps)
    out = params.get("output.weight", params["token_embd.weight"])
    logits = h @ out.T
    m = logits.max(-1, keepdims=True)
    lse = (m + np.log(np.exp(logits - m).sum(-1, keepdims=True)))[:, 0]
    nll = lse - logits[np.arange(T), targets]
    return float((nll * weights).sum() / weights.sum())


def main():
    case, params = load(sys.argv[1])
    base = loss(case, params)
    grads = []
    eps = 1e-6
    for name, idx in case["probes"]:
        p = params[name].reshape(-1)
        old = p[idx]
        p[idx] = old + eps
        up = loss(case, params)
        p[idx] = old - eps
        down = loss(case, params)
        p[idx] = old
        grads.append((up - down) / (2 * eps))
    print(json.dumps({"loss": base, "grads": grads}))


main()
