#!/usr/bin/python3
"""A Hugging Face Llama directory (F16/F32 safetensors, tokenizer.model) rewritten in Meta's original
layout: params.json and N model-parallel consolidated.NN.pth files split along fairscale's axes
(tok_embeddings, wo, w2 by columns, the other matrices by rows, vectors whole in each file), Q/K
rows back in Meta's interleaved order. For scripts/convert-meta-vs-hf.sh: Debian's python3-torch
and numpy; the safetensors are memory-mapped and one shard is held in memory at a time.

Usage: hf-to-meta.py HF_DIR OUT_DIR N"""
import json, os, shutil, struct, sys
import numpy as np, torch
hf, out, ns = sys.argv[1], sys.argv[2], int(sys.argv[3])
cfg = json.load(open(os.path.join(hf, "config.json")))
H, KV = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
W = {}
for f in sorted(os.listdir(hf)):
    if not f.endswith(".safetensors"): continue
    p = os.path.join(hf, f)
    with open(p, "rb") as fh:
        n = struct.unpack("<Q", fh.read(8))[0]
        hdr = json.loads(fh.read(n))
    mm = np.memmap(p, dtype=np.uint8, mode="r")
    for k, v in hdr.items():
        if k == "__metadata__": continue
        a, b = v["data_offsets"]
        W[k] = mm[8 + n + a: 8 + n + b].view({"F16": np.float16, "F32": np.float32}[v["dtype"]]).reshape(v["shape"])
roles = {"self_attn.q_proj.weight": "attention.wq.weight", "self_attn.k_proj.weight": "attention.wk.weight",
         "self_attn.v_proj.weight": "attention.wv.weight", "self_attn.o_proj.weight": "attention.wo.weight",
         "mlp.gate_proj.weight": "feed_forward.w1.weight", "mlp.down_proj.weight": "feed_forward.w2.weight",
         "mlp.up_proj.weight": "feed_forward.w3.weight", "input_layernorm.weight": "attention_norm.weight",
         "post_attention_layernorm.weight": "ffn_norm.weight"}
names = {"model.embed_tokens.weight": "tok_embeddings.weight", "model.norm.weight": "norm.weight", "lm_head.weight": "output.weight"}
for l in range(cfg["num_hidden_layers"]):
    for a, b in roles.items(): names["model.layers.%d.%s" % (l, a)] = "layers.%d.%s" % (l, b)
def to_meta(w, n):
    r, c = w.shape
    return w.reshape(n, 2, r // n // 2, c).transpose(0, 2, 1, 3).reshape(r, c)
os.makedirs(out, exist_ok=True)
shutil.copy(os.path.join(hf, "tokenizer.model"), out)
json.dump({"dim": cfg["hidden_size"], "n_layers": cfg["num_hidden_layers"], "n_heads": H, "n_kv_heads": KV,
           "vocab_size": cfg["vocab_size"], "multiple_of": 256, "norm_eps": cfg["rms_norm_eps"], "rope_theta": cfg.get("rope_theta", 10000.0)},
          open(os.path.join(out, "params.json"), "w"))
for s in range(ns):
    part = {}
    for hn, mn in names.items():
        w = W[hn]
        if hn.endswith("q_proj.weight"): w = to_meta(w, H)
        elif hn.endswith("k_proj.weight"): w = to_meta(w, KV)
        if w.ndim == 2:
            col = mn.startswith("tok_embeddings.") or mn.endswith(".attention.wo.weight") or mn.endswith(".feed_forward.w2.weight")
            w = np.array_split(w, ns, axis=1 if col else 0)[s]
        part[mn] = torch.from_numpy(np.ascontiguousarray(w))
    torch.save(part, os.path.join(out, "consolidated.%02d.pth" % s))
    del part
