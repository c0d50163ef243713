#!/usr/bin/python3
"""Independent numpy reference of the two perplexity methods, for PerplexityReferenceTest.

Usage: reference_perplexity.py DIR REFERENCE_FORWARD_DIR
DIR holds what reference_forward.py reads (config.json, the dequantized tensors) plus ppl.json:
tokens, ctx, stride, method ("llama.cpp" or "sliding"), bos (-1: none).
Writes DIR/ppl.txt: one line "position nll" per scored token, in order.

llama.cpp (examples/perplexity, perplexity()): chunks of ctx tokens, chunk i = tokens[i*ctx:(i+1)*ctx]
with its first token replaced by BOS, a fresh KV cache per chunk; the logits of window rows
ctx//2 .. ctx-2 score the next token. Sliding (Hugging Face's "Perplexity of fixed-length models"):
windows [begin, min(begin+ctx, n)) for begin = 0, stride, ...; the targets are the tokens after the
previous window's end, less the first token of the window (nothing predicts it); stop after the
window that reaches the end. NLL = -log_softmax(logits)[target], in float64.
"""
import json
import sys

import numpy as np

d = sys.argv[1]
sys.path.insert(0, sys.argv[2])
sys.argv = [sys.argv[0], d]
import reference_forward as rf  # noqa: E402  (reads DIR/config.json and the tensors on import)

p = json.load(open(d + "/ppl.json"))
tokens, ctx, stride, bos = list(p["tokens"]), p["ctx"], p["stride"], p["bos"]


def window_logits(ids):
    cache = [([], []) for _ in range(rf.L)]
    return rf.forward(ids, cache)


def nll(row, target):
    m = row.max()
    return -(row[target] - m - np.log(np.exp(row - m).sum()))


out = []
if p["method"] == "llama.cpp":
    for start in range(0, len(tokens) - ctx + 1, ctx):
        ids = tokens[start:start + ctx]
        if bos >= 0:
            ids[0] = bos
        lg = window_logits(ids)
        for j in range(ctx // 2, ctx - 1):
            out.append((j + 1, nll(lg[j], tokens[start + j + 1])))
else:
    prev_end = 0
    for begin in range(0, len(tokens), stride):
        end = min(begin + ctx, len(tokens))
        lg = window_logits(tokens[begin:end])
        for t in range(max(prev_end, begin + 1), end):
            out.append((t - begin, nll(lg[t - begin - 1], tokens[t])))
        prev_end = end
        if end == len(tokens):
            break
with open(d + "/ppl.txt", "w") as f:
    for pos, v in out:
        f.write("%d %r\n" % (pos, float(v)))
