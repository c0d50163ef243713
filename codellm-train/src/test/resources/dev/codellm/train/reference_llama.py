"""Independent float64 numpy reference for the Java trainer's Llama forward pass and loss.

Reads <dir>/case.json (config, tokens, targets, weights, parameter names/shapes, probes) and
<dir>/params.bin (float32 little-endian, parameters concatenated in case.json order). Prints JSON:
the weighted mean NLL and, for every probe (param, flat index), the central finite-difference
gradient of that loss. Written from the Llama paper / llama.cpp semantics, not from the Java code.
"""
import json
import sys

import math

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


def rope_angles(T, dims, theta, sc):
    # ggml's angles (rope_yarn, ggml_rope_yarn_corr_dims) in float64, the same statement as the
    # model module's rope_reference.py: [T, dims/2] angles and YaRN's magnitude scale
    i = np.arange(dims // 2, dtype=np.float64)
    extrap = np.arange(T, dtype=np.float64)[:, None] * theta ** (-2.0 * i / dims)[None, :]
    sc = sc or {"type": "none"}
    if sc["type"] == "none":
        return extrap, 1.0
    if sc["type"] == "linear":
        return extrap / sc["factor"], 1.0
    def corr_dim(n_rot):
        return dims * math.log(sc["orig_ctx"] / (n_rot * 2 * math.pi)) / (2 * math.log(theta))
    low = max(0.0, math.floor(corr_dim(32)))
    high = min(dims - 1.0, math.ceil(corr_dim(1)))
    ramp = 1 - np.clip((i - low) / max(0.001, high - low), 0, 1)
    return extrap / sc["factor"] * (1 - ramp)[None, :] + extrap * ramp[None, :], 1 + 0.1 * math.log(sc["factor"])


def rope(x, n_heads, c):
    # x: [T, n_heads*hd]; rotate adjacent pairs (llama.cpp "norm" rope mode) of the first ropeDim
    # dimensions of each head; the rest pass through
    T, width = x.shape
    hd = width // n_heads
    rd = c.get("ropeDim", hd)
    ang, mscale = rope_angles(T, rd, c["ropeTheta"], c.get("ropeScaling"))
    xh = x.reshape(T, n_heads, hd)
    xs = xh[..., :rd].reshape(T, n_heads, rd // 2, 2)
    cos, sin = (np.cos(ang) * mscale)[:, None, :], (np.sin(ang) * mscale)[:, None, :]
    x0, x1 = xs[..., 0], xs[..., 1]
    rot = np.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos], -1).reshape(T, n_heads, rd)
    return np.concatenate([rot, xh[..., rd:]], -1).reshape(T, width)


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
        q = rope(linear(params, p + "attn_q.weight", h, ls), H, c).reshape(T, H, hd)
        k = rope(linear(params, p + "attn_k.weight", h, ls), KV, c).reshape(T, KV, hd)
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
