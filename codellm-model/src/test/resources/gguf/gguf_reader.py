#!/usr/bin/env python3
"""An independent GGUF reader used to cross-check the Java reader/writer.

Written from the GGUF specification (ggml docs/gguf.md) and ggml's block layouts (ggml-common.h),
with standard library + numpy only. Element decoding is vectorised over whole tensors using
per-element index tables ("element p of a block lives in byte B, bits S"), a different route
from the Java decoder's block loops. It is as strict as llama.cpp's loader about layout: tensor
data must be packed in tensor-info order, each tensor padded to the alignment.

usage: gguf_reader.py FILE.gguf [--dump DIR]
Prints JSON: version, alignment, data_offset, metadata {key: {type, value}}, tensors [...].
With --dump, writes each tensor decoded to float32 little-endian as DIR/<index>.f32.
Exits 1 with a message on stderr when the file is not valid GGUF.
"""
import json
import math
import os
import struct
import sys

import numpy as np

VALUE_TYPES = {0: "UINT8", 1: "INT8", 2: "UINT16", 3: "INT16", 4: "UINT32", 5: "INT32", 6: "FLOAT32",
               7: "BOOL", 8: "STRING", 9: "ARRAY", 10: "UINT64", 11: "INT64", 12: "FLOAT64"}
SCALAR_FORMATS = {"UINT8": "<B", "INT8": "<b", "UINT16": "<H", "INT16": "<h", "UINT32": "<I", "INT32": "<i",
                  "FLOAT32": "<f", "BOOL": "<?", "UINT64": "<Q", "INT64": "<q", "FLOAT64": "<d"}
# ggml type id -> (name, elements per block, bytes per block)
GGML_TYPES = {0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
              6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 36),
              10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176),
              14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
              26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 30: ("BF16", 1, 2)}


class GgufError(Exception):
    pass


class Reader:
    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def take(self, n):
        if n < 0 or self.pos + n > len(self.buf):
            raise GgufError(f"truncated at byte {self.pos} (need {n})")
        b = self.buf[self.pos:self.pos + n]
        self.pos += n
        return b

    def scalar(self, vtype):
        fmt = SCALAR_FORMATS[vtype]
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self):
        n = self.scalar("UINT64")
        return bytes(self.take(n)).decode("utf-8", errors="replace")

    def value(self, vtype):
        if vtype == "STRING":
            return self.string()
        if vtype == "ARRAY":
            etype = VALUE_TYPES.get(self.scalar("UINT32"))
            if etype is None:
                raise GgufError("unknown array element type")
            n = self.scalar("UINT64")
            if etype in SCALAR_FORMATS:
                size = struct.calcsize(SCALAR_FORMATS[etype])
                arr = np.frombuffer(self.take(n * size), dtype=np.dtype(SCALAR_FORMATS[etype]))
                return {"type": "ARRAY", "element_type": etype, "value": [plain(v, etype) for v in arr.tolist()]}
            return {"type": "ARRAY", "element_type": etype, "value": [self.value(etype) for _ in range(n)]}
        return self.scalar(vtype)


def plain(v, vtype):
    if vtype == "FLOAT32" or vtype == "FLOAT64":
        if math.isnan(v) or math.isinf(v):
            return repr(v)
        return float(v)
    if vtype == "BOOL":
        return bool(v)
    return int(v)


def parse(buf):
    r = Reader(buf)
    if bytes(r.take(4)) != b"GGUF":
        raise GgufError("bad magic")
    version = r.scalar("UINT32")
    if version not in (2, 3):
        raise GgufError(f"unsupported version {version}")
    n_tensors = r.scalar("UINT64")
    n_kv = r.scalar("UINT64")
    metadata = {}
    for _ in range(n_kv):
        key = r.string()
        vtype = VALUE_TYPES.get(r.scalar("UINT32"))
        if vtype is None:
            raise GgufError(f"unknown value type for {key}")
        v = r.value(vtype)
        if key in metadata:
            raise GgufError(f"duplicate key {key}")
        metadata[key] = v if vtype == "ARRAY" else {"type": vtype, "value": plain(v, vtype) if vtype != "STRING" else v}
    alignment = 32
    if "general.alignment" in metadata:
        a = metadata["general.alignment"]
        if a["type"] != "UINT32" or a["value"] <= 0 or a["value"] & (a["value"] - 1):
            raise GgufError("bad general.alignment")
        alignment = a["value"]
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        n_dims = r.scalar("UINT32")
        if n_dims > 4:
            raise GgufError(f"{name}: {n_dims} dims")
        shape = [r.scalar("UINT64") for _ in range(n_dims)]
        tid = r.scalar("UINT32")
        if tid not in GGML_TYPES:
            raise GgufError(f"{name}: unknown ggml type {tid}")
        offset = r.scalar("UINT64")
        infos.append({"name": name, "type": GGML_TYPES[tid][0], "type_id": tid, "shape": shape, "offset": offset})
    data_offset = (r.pos + alignment - 1) // alignment * alignment
    expected_offset = 0  # like llama.cpp's gguf.cpp: tensors are packed in order, each padded to the alignment
    for t in infos:
        _, bs, ts = GGML_TYPES[t["type_id"]]
        n = int(np.prod(t["shape"], dtype=np.uint64)) if t["shape"] else 1
        if t["shape"] and t["shape"][0] % bs:
            raise GgufError(f"{t['name']}: row not a multiple of block size")
        t["n_elements"] = n
        t["n_bytes"] = n // bs * ts
        if t["offset"] % alignment:
            raise GgufError(f"{t['name']}: misaligned offset")
        if data_offset + t["offset"] + t["n_bytes"] > len(buf):
            raise GgufError(f"{t['name']}: data past end of file")
        if t["offset"] != expected_offset:
            raise GgufError(f"{t['name']}: offset {t['offset']}, expected {expected_offset}")
        expected_offset += (t["n_bytes"] + alignment - 1) // alignment * alignment
    return {"version": version, "alignment": alignment, "data_offset": data_offset,
            "metadata": metadata, "tensors": infos}


# ---------- decoding: per-element index tables over the block bytes ----------

def f16(blocks, start):
    return blocks[:, start:start + 2].copy().view(np.float16).astype(np.float32)  # (nb, 1)


def nibble_table_32():
    """Legacy 32-blocks: element p < 16 is the low nibble of qs[p], p >= 16 the high nibble of qs[p-16]."""
    p = np.arange(32)
    return p % 16, np.where(p < 16, 0, 4)


def decode_legacy(blocks, name):
    byte, shift = nibble_table_32()
    p = np.arange(32)
    if name in ("Q4_0", "Q4_1"):
        qs_at = 2 if name == "Q4_0" else 4
        q = ((blocks[:, qs_at + byte] >> shift) & 0xF).astype(np.int32)
        if name == "Q4_0":
            return (q - 8).astype(np.float32) * f16(blocks, 0)
        return q.astype(np.float32) * f16(blocks, 0) + f16(blocks, 2)
    if name in ("Q5_0", "Q5_1"):
        qh_at = 2 if name == "Q5_0" else 4
        qh = blocks[:, qh_at:qh_at + 4].copy().view("<u4").astype(np.int64)  # (nb, 1)
        high = ((qh >> p) & 1).astype(np.int32)  # bit p of qh is the 5th bit of element p
        q = ((blocks[:, qh_at + 4 + byte] >> shift) & 0xF).astype(np.int32) | (high << 4)
        if name == "Q5_0":
            return (q - 16).astype(np.float32) * f16(blocks, 0)
        return q.astype(np.float32) * f16(blocks, 0) + f16(blocks, 2)
    if name == "Q8_0":
        return blocks[:, 2:34].copy().view(np.int8).astype(np.float32) * f16(blocks, 0)
    if name == "Q8_1":
        return blocks[:, 4:36].copy().view(np.int8).astype(np.float32) * f16(blocks, 0)
    raise AssertionError(name)


P256 = np.arange(256)


def k4_scales(blocks, at):
    """Eight 6-bit scales and mins packed in 12 bytes (Q4_K/Q5_K)."""
    s = blocks[:, at:at + 12].astype(np.int32)
    sc = np.empty((blocks.shape[0], 8), np.int32)
    mn = np.empty((blocks.shape[0], 8), np.int32)
    for j in range(8):
        if j < 4:
            sc[:, j] = s[:, j] & 63
            mn[:, j] = s[:, j + 4] & 63
        else:
            sc[:, j] = (s[:, j + 4] & 0xF) | ((s[:, j - 4] >> 6) << 4)
            mn[:, j] = (s[:, j + 4] >> 4) | ((s[:, j] >> 6) << 4)
    return sc.astype(np.float32), mn.astype(np.float32)


def decode_k(blocks, name):
    p = P256
    if name == "Q8_K":
        d = blocks[:, 0:4].copy().view("<f4")
        return d * blocks[:, 4:260].copy().view(np.int8).astype(np.float32)
    if name == "Q2_K":
        sc = blocks[:, 0:16].astype(np.int32)
        byte = 16 + (p // 128) * 32 + p % 32
        shift = 2 * ((p % 128) // 32)
        q = ((blocks[:, byte] >> shift) & 3).astype(np.float32)
        dl = f16(blocks, 80) * (sc & 0xF)[:, p // 16].astype(np.float32)
        ml = f16(blocks, 82) * (sc >> 4)[:, p // 16].astype(np.float32)
        return dl * q - ml
    if name == "Q3_K":
        raw = blocks[:, 96:108].astype(np.int32)
        j = np.arange(16)
        low4 = (raw[:, j % 8] >> (4 * (j // 8))) & 0xF
        high2 = (raw[:, 8 + j % 4] >> (2 * (j // 4))) & 3
        scales = ((low4 | (high2 << 4)) - 32).astype(np.float32)
        low = (blocks[:, 32 + (p // 128) * 32 + p % 32] >> (2 * ((p % 128) // 32))) & 3
        hbit = (blocks[:, p % 32] >> ((p // 128) * 4 + (p % 128) // 32)) & 1
        q = low.astype(np.int32) - 4 * (1 - hbit.astype(np.int32))
        return (f16(blocks, 108) * scales[:, p // 16]) * q.astype(np.float32)
    if name in ("Q4_K", "Q5_K"):
        sc, mn = k4_scales(blocks, 4)
        qs_at = 16 if name == "Q4_K" else 48
        q = ((blocks[:, qs_at + (p // 64) * 32 + p % 32] >> (4 * ((p // 32) % 2))) & 0xF).astype(np.int32)
        if name == "Q5_K":
            q = q + 16 * ((blocks[:, 16 + p % 32] >> (p // 32)) & 1).astype(np.int32)
        dl = f16(blocks, 0) * sc[:, p // 32]
        ml = f16(blocks, 2) * mn[:, p // 32]
        return dl * q.astype(np.float32) - ml
    if name == "Q6_K":
        n, r = p // 128, p % 128
        k, l = r // 32, r % 32
        low = (blocks[:, n * 64 + l + 32 * (k & 1)] >> (4 * (k >> 1))) & 0xF
        high = (blocks[:, 128 + n * 32 + l] >> (2 * k)) & 3
        q = (low.astype(np.int32) | (high.astype(np.int32) << 4)) - 32
        scales = blocks[:, 192:208].copy().view(np.int8).astype(np.float32)
        return (f16(blocks, 208) * scales[:, p // 16]) * q.astype(np.float32)
    raise AssertionError(name)


def decode(buf, info, data_offset):
    name, bs, ts = GGML_TYPES[info["type_id"]]
    start = data_offset + info["offset"]
    raw = np.frombuffer(buf, dtype=np.uint8, count=info["n_bytes"], offset=start)
    plain_types = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I8": "i1", "I16": "<i2", "I32": "<i4", "I64": "<i8"}
    if name in plain_types:
        return raw.view(plain_types[name]).astype(np.float32)
    if name == "BF16":
        return (raw.view("<u2").astype(np.uint32) << 16).view(np.float32)
    blocks = raw.reshape(-1, ts)
    out = decode_legacy(blocks, name) if bs == 32 else decode_k(blocks, name)
    return out.astype(np.float32).reshape(-1)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], "rb") as fh:
        buf = fh.read()
    try:
        result = parse(buf)
    except (GgufError, struct.error, ValueError) as e:
        print(f"invalid GGUF: {e}", file=sys.stderr)
        return 1
    if "--dump" in argv:
        out_dir = argv[argv.index("--dump") + 1]
        os.makedirs(out_dir, exist_ok=True)
        for i, t in enumerate(result["tensors"]):
            decode(buf, t, result["data_offset"]).astype("<f4").tofile(os.path.join(out_dir, f"{i}.f32"))
    json.dump(result, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
