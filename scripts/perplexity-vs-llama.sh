#!/usr/bin/env bash
# codellm perplexity --method llama.cpp side by side with llama-perplexity on the same file and
# model: both final estimates, their relative difference (issue 20 asks for < 0.1 %), and both
# throughputs (tokens through the model per second) measured in this one run.
# Usage: scripts/perplexity-vs-llama.sh MODEL.gguf TEXT.txt [CTX] [THREADS]
# LLAMA_BIN (default /work/peers/llama.cpp/build/bin) is where llama-perplexity lives.
set -euo pipefail
model=$1 text=$2 ctx=${3:-512} threads=${4:-$(nproc)}
bin=${LLAMA_BIN:-/work/peers/llama.cpp/build/bin}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin/llama-perplexity" -m "$model" -f "$text" -c "$ctx" -b "$ctx" -t "$threads" >"$out/llama.log" 2>&1
llama_ppl=$(sed -n 's/.*Final estimate: PPL = \([0-9.]*\).*/\1/p' "$out/llama.log")
llama_tps=$(sed -n 's/.*prompt eval time.*, *\([0-9.]*\) tokens per second.*/\1/p' "$out/llama.log")
"$root/codellm" perplexity -m "$model" -c "$ctx" -t "$threads" --json "$text" >"$out/ours.json" 2>/dev/null
read -r ours_ppl ours_tps < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['ppl'], d['tokens_per_second'])" "$out/ours.json")
python3 - "$llama_ppl" "$ours_ppl" "$llama_tps" "$ours_tps" <<'PY'
import sys
lp, op, lt, ot = map(float, sys.argv[1:])
print(f"llama-perplexity PPL {lp:.4f}  codellm PPL {op:.4f}  relative difference {abs(op-lp)/lp*100:.4f} %")
print(f"throughput: llama-perplexity {lt:.1f} tok/s (prompt eval), codellm {ot:.1f} tok/s, ratio codellm/llama {ot/lt:.2f}")
PY
