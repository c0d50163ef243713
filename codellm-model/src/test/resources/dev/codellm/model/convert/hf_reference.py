#!/usr/bin/python3
"""Writes a tiny Hugging Face Llama checkpoint and the logits of HF's own layout, for HfConvertTest.

Usage: hf_reference.py SPEC.json OUT_DIR
SPEC: dim, layers, heads, kv_heads, ffn, vocab, theta, eps, seed, dtype ("F32", "F16" or "BF16"),
      shards (how many safetensors files; > 1 writes model.safetensors.index.json), tied (bool),
      text (encoded with python3-sentencepiece and OUT_DIR/tokenizer.model into the prompt), greedy;
      pth (also torch.save files: OUT_DIR/../bin, OUT_DIR/../meta), meta_shards (N > 0: also Meta's
      N-file model-parallel layout in OUT_DIR/../metaN).
Writes OUT_DIR/config.json and the safetensors (its own writer: 8-byte header length, JSON header,
raw little-endian data), then OUT_DIR/../reference.json: the prompt ids, every prompt position's
logits, the greedy continuation with each step's margin.

The forward pass is written from transformers' modeling_llama in float64 on the stored (rounded)
weights: rotate-half RoPE (cos/sin over [freqs, freqs]), repeat_kv for grouped-query attention,
RMSNorm, SwiGLU, nothing shared with the Java converter or engine.
"""
import json
import os
import struct
import sys
import numpy as np
import sentencepiece as spm

spec = json.load(open(sys.argv[1]))
out = sys.argv[2]
dim, L, H, KV, ffn, V = spec["dim"], spec["layers"], spec["heads"], spec["kv_heads"], spec["ffn"], spec["vocab"]
hd = dim // H
rng = np.random.default_rng(spec["seed"])
dtype = spec["dtype"]


def to_bf16_bits(a):
    b = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)


def stored(a):
    """(bytes as stored, the float64 values the model really has)."""
    a = a.astype(np.float32)
    if dtype == "F32":
        return a.tobytes(), a.astype(np.float64)
    if dtype == "F16":
        h = a.astype(np.float16)
        return h.tobytes(), h.astype(np.float64)
    u = to_bf16_bits(a)
    return u.tobytes(), (u.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


tensors = {}   # name -> (shape, bytes)
W = {}         # name -> float64 array


def add(name, a):
    raw, val = stored(a)
    tensors[name] = (list(a.shape), raw)
    W[name] = val


add("model.embed_tokens.weight", rng.normal(0, 1, (V, dim)))
for l in range(L):
    p = "model.layers.%d." % l
    add(p + "input_layernorm.weight", 1 + 0.1 * rng.normal(size=dim))
    add(p + "self_attn.q_proj.weight", rng.normal(0, 1 / np.sqrt(dim), (H * hd, dim)))
    add(p + "self_attn.k_proj.weight", rng.normal(0, 1 / np.sqrt(dim), (KV * hd, dim)))
    add(p + "self_attn.v_proj.weight", rng.normal(0, 1 / np.sqrt(dim), (KV * hd, dim)))
    add(p + "self_attn.o_proj.weight", rng.normal(0, 1 / np.sqrt(dim), (dim, H * hd)))
    add(p + "post_attention_layernorm.weight", 1 + 0.1 * rng.normal(size=dim))
    add(p + "mlp.gate_proj.weight", rng.normal(0, 1 / np.sqrt(dim), (ffn, dim)))
    add(p + "mlp.up_proj.weight", rng.normal(0, 1 / np.sqrt(dim), (ffn, dim)))
    add(p + "mlp.down_proj.weight", rng.normal(0, 1 / np.sqrt(ffn), (dim, ffn)))
add("model.norm.weight", 1 + 0.1 * rng.normal(size=dim))
if not spec["tied"]:
    add("lm_head.weight", rng.normal(0, 3 / np.sqrt(dim), (V, dim)))


def write_safetensors(path, names):
    header, offset, blobs = {}, 0, []
    for n in names:
        shape, raw = tensors[n]
        header[n] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


names = list(tensors)
shards = spec["shards"]
if shards == 1:
    write_safetensors(os.path.join(out, "model.safetensors"), names)
else:
    weight_map = {}
    per = (len(names) + shards - 1) // shards
    for s in range(shards):
        fname = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
        part = names[s * per:(s + 1) * per]
        write_safetensors(os.path.join(out, fname), part)
        for n in part:
            weight_map[n] = fname
    json.dump({"metadata": {"total_size": sum(len(t[1]) for t in tensors.values())}, "weight_map": weight_map},
              open(os.path.join(out, "model.safetensors.index.json"), "w"), indent=2)

config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": dim, "intermediate_size": ffn,
          "num_hidden_layers": L, "num_attention_heads": H, "num_key_value_heads": KV, "vocab_size": V,
          "rms_norm_eps": spec["eps"], "rope_theta": spec["theta"], "max_position_embeddings": 4096,
          "tie_word_embeddings": spec["tied"], "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}
if spec.get("rope_scaling"):
    config["rope_scaling"] = spec["rope_scaling"]
json.dump(config, open(os.path.join(out, "config.json"), "w"), indent=2)

sp = spm.SentencePieceProcessor(model_file=os.path.join(out, "tokenizer.model"))
prompt = [1] + sp.encode(spec["text"])


def rmsnorm(x, w):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + spec["eps"]) * w


inv_freq = 1.0 / (spec["theta"] ** (np.arange(0, hd, 2, dtype=np.float64) / hd))
if spec.get("rope_scaling", {}).get("rope_type") == "llama3":
    # transformers' _compute_llama3_parameters, in float64
    rs = spec["rope_scaling"]
    factor, lo, hi, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
    wavelen = 2 * np.pi / inv_freq
    scaled = np.where(wavelen > old / lo, inv_freq / factor, inv_freq)
    smooth = (old / wavelen - lo) / (hi - lo)
    medium = ~(wavelen < old / hi) & ~(wavelen > old / lo)
    inv_freq = np.where(medium, (1 - smooth) * scaled / factor + smooth * scaled, scaled)


def rotate_half(x):
    x1, x2 = x[..., :hd // 2], x[..., hd // 2:]
    return np.concatenate([-x2, x1], axis=-1)


def forward(tokens):
    T = len(tokens)
    pos = np.arange(T, dtype=np.float64)
    freqs = np.outer(pos, inv_freq)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb)[:, None, :], np.sin(emb)[:, None, :]
    x = W["model.embed_tokens.weight"][tokens]
    for l in range(L):
        p = "model.layers.%d." % l
        h = rmsnorm(x, W[p + "input_layernorm.weight"])
        q = (h @ W[p + "self_attn.q_proj.weight"].T).reshape(T, H, hd)
        k = (h @ W[p + "self_attn.k_proj.weight"].T).reshape(T, KV, hd)
        v = (h @ W[p + "self_attn.v_proj.weight"].T).reshape(T, KV, hd)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = np.repeat(k, H // KV, axis=1)  # repeat_kv
        v = np.repeat(v, H // KV, axis=1)
        att = np.einsum("thd,shd->hts", q, k) / np.sqrt(hd)
        att = att + np.triu(np.full((T, T), -np.inf), 1)[None]
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        o = np.einsum("hts,shd->thd", att, v).reshape(T, H * hd)
        x = x + o @ W[p + "self_attn.o_proj.weight"].T
        h = rmsnorm(x, W[p + "post_attention_layernorm.weight"])
        g = h @ W[p + "mlp.gate_proj.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * (h @ W[p + "mlp.up_proj.weight"].T)) @ W[p + "mlp.down_proj.weight"].T
    head = W["model.embed_tokens.weight"] if spec["tied"] else W["lm_head.weight"]
    return rmsnorm(x, W["model.norm.weight"]) @ head.T


logits = forward(prompt)
seq, greedy, margins = list(prompt), [], []
last = logits[-1]
for _ in range(spec["greedy"]):
    nxt = int(np.argmax(last))
    top2 = np.sort(last)[-2:]
    greedy.append(nxt)
    margins.append(float(top2[1] - top2[0]))
    seq.append(nxt)
    last = forward(seq)[-1]
json.dump({"prompt": prompt, "logits": logits.tolist(), "greedy": greedy, "margins": margins},
          open(os.path.join(out, "..", "reference.json"), "w"))

if spec.get("pth"):
    # the same weights as torch.save files: HF's pytorch_model.bin (HF names) in OUT/../bin, and
    # Meta's release layout in OUT/../meta (params.json, consolidated.00.pth with Meta's names and
    # Q/K rows in Meta's interleaved order: the inverse of the HF conversion script's permute)
    import shutil
    import torch

    def torch_tensor(name):
        shape, raw = tensors[name]
        if dtype == "F32":
            return torch.from_numpy(np.frombuffer(raw, dtype="<f4").reshape(shape).copy())
        if dtype == "F16":
            return torch.from_numpy(np.frombuffer(raw, dtype="<f2").reshape(shape).copy())
        bits = np.frombuffer(raw, dtype="<u2").astype(np.int32) << 16
        return torch.from_numpy(bits.view(np.float32).reshape(shape).copy()).to(torch.bfloat16)

    def to_meta(w, n_head):
        # HF's convert_llama_weights_to_hf permute is w.view(n, hd/2, 2, dim).transpose(1, 2); undo it
        rows, cols = w.shape
        return w.reshape(n_head, 2, rows // n_head // 2, cols).transpose(1, 2).reshape(rows, cols)

    bindir = os.path.join(out, "..", "bin")
    os.makedirs(bindir, exist_ok=True)
    for f in ("config.json", "tokenizer.model"):
        shutil.copy(os.path.join(out, f), bindir)
    torch.save({n: torch_tensor(n) for n in names}, os.path.join(bindir, "pytorch_model.bin"))

    metadir = os.path.join(out, "..", "meta")
    os.makedirs(metadir, exist_ok=True)
    shutil.copy(os.path.join(out, "tokenizer.model"), metadir)
    meta = {"tok_embeddings.weight": torch_tensor("model.embed_tokens.weight"), "norm.weight": torch_tensor("model.norm.weight")}
    if not spec["tied"]:
        meta["output.weight"] = torch_tensor("lm_head.weight")
    roles = {"self_attn.q_proj.weight": "attention.wq.weight", "self_attn.k_proj.weight": "attention.wk.weight",
             "self_attn.v_proj.weight": "attention.wv.weight", "self_attn.o_proj.weight": "attention.wo.weight",
             "mlp.gate_proj.weight": "feed_forward.w1.weight", "mlp.down_proj.weight": "feed_forward.w2.weight",
             "mlp.up_proj.weight": "feed_forward.w3.weight", "input_layernorm.weight": "attention_norm.weight",
             "post_attention_layernorm.weight": "ffn_norm.weight"}
    for l in range(L):
        for hf_role, meta_role in roles.items():
            t = torch_tensor("model.layers.%d.%s" % (l, hf_role))
            if hf_role.startswith("self_attn.q"):
                t = to_meta(t, H)
            elif hf_role.startswith("self_attn.k"):
                t = to_meta(t, KV)
            meta["layers.%d.%s" % (l, meta_role)] = t.contiguous()
    meta["rope.freqs"] = torch.from_numpy(inv_freq.astype(np.float32))
    torch.save(meta, os.path.join(metadir, "consolidated.00.pth"))
    params = {"dim": dim, "n_layers": L, "n_heads": H, "n_kv_heads": KV, "vocab_size": V, "multiple_of": 256,
              "norm_eps": spec["eps"], "rope_theta": spec["theta"]}
    json.dump(params, open(os.path.join(metadir, "params.json"), "w"))

    # Meta's bigger releases in OUT/../metaN: N model-parallel files, split as fairscale's layers
    # hold them (Meta's llama/model.py): ParallelEmbedding splits the embedding dim, the
    # column-parallel wq/wk/wv/w1/w3/output split their output rows, the row-parallel wo/w2 their
    # input columns; vectors (norms, rope.freqs) are whole in every file
    ns = spec.get("meta_shards", 0)
    if ns:
        shdir = os.path.join(out, "..", "meta%d" % ns)
        os.makedirs(shdir, exist_ok=True)
        shutil.copy(os.path.join(out, "tokenizer.model"), shdir)
        json.dump(params, open(os.path.join(shdir, "params.json"), "w"))
        for s in range(ns):
            part = {}
            for n, t in meta.items():
                if t.dim() == 1:
                    part[n] = t.clone()
                else:
                    column = n.startswith("tok_embeddings.") or n.endswith(".attention.wo.weight") or n.endswith(".feed_forward.w2.weight")
                    part[n] = t.chunk(ns, dim=1 if column else 0)[s].clone()  # its own storage, as Meta's files have
            torch.save(part, os.path.join(shdir, "consolidated.%02d.pth" % s))
