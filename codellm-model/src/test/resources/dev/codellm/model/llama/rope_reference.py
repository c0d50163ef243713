#!/usr/bin/python3
"""RoPE angles in float64 as ggml defines them (ggml.c ggml_rope_yarn_corr_dims, ggml-cpu.c
rope_yarn / rope_yarn_ramp), restated independently for RopeLongContextTest and reference_forward.py.

rope_table(pos, cfg) -> (cos, sin) arrays [len(pos), dims/2], already multiplied by YaRN's mscale.
cfg: dims (rotated dimensions per head), theta (freq_base), scaling: {"type": "none"|"linear"|"yarn",
"factor": f, "orig_ctx": n} (absent = none).

Pair i (dimensions 2i, 2i+1) at position p: theta_extrap = p * theta^(-2i/dims), freq_scale = 1/factor,
theta_interp = freq_scale * theta_extrap. linear: angle = theta_interp. yarn (ext_factor 1, beta_fast 32,
beta_slow 1): corr_dim(r) = dims * ln(orig_ctx / (r * 2 pi)) / (2 ln theta), low = max(0, floor(corr_dim(32))),
high = min(dims - 1, ceil(corr_dim(1))), ramp = 1 - clip((i - low) / max(0.001, high - low), 0, 1),
angle = theta_interp * (1 - ramp) + theta_extrap * ramp, and cos/sin are scaled by 1 + 0.1 ln(factor).

Usage as a script: rope_reference.py DIR reads DIR/rope.json ({dims, theta, scaling, positions}) and
writes DIR/rope.txt: per position one line of dims floats, cos and sin interleaved per pair.
"""
import json
import math
import sys

import numpy as np


def rope_table(pos, cfg):
    dims, base = cfg["dims"], float(cfg["theta"])
    sc = cfg.get("scaling") or {"type": "none"}
    i = np.arange(dims // 2, dtype=np.float64)
    extrap = np.asarray(pos, dtype=np.float64)[:, None] * base ** (-2.0 * i / dims)[None, :]
    mscale = 1.0
    if sc["type"] == "none":
        ang = extrap
    elif sc["type"] == "linear":
        ang = extrap / sc["factor"]
    elif sc["type"] == "yarn":
        def corr_dim(n_rot):
            return dims * math.log(sc["orig_ctx"] / (n_rot * 2 * math.pi)) / (2 * math.log(base))
        low = max(0.0, math.floor(corr_dim(32)))
        high = min(dims - 1.0, math.ceil(corr_dim(1)))
        ramp = 1 - np.clip((i - low) / max(0.001, high - low), 0, 1)
        ang = extrap / sc["factor"] * (1 - ramp)[None, :] + extrap * ramp[None, :]
        mscale = 1 + 0.1 * math.log(sc["factor"])
    else:
        raise ValueError(sc["type"])
    return np.cos(ang) * mscale, np.sin(ang) * mscale


if __name__ == "__main__":
    d = sys.argv[1]
    cfg = json.load(open(d + "/rope.json"))
    c, s = rope_table(cfg["positions"], cfg)
    with open(d + "/rope.txt", "w") as f:
        for row_c, row_s in zip(c, s):
            f.write(" ".join("%r %r" % (float(a), float(b)) for a, b in zip(row_c, row_s)) + "\n")
