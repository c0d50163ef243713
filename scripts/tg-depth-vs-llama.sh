#!/usr/bin/env bash
# Generation speed at a context depth, codellm against llama.cpp on the same file in one run:
# codellm bench -p DEPTH -n N (tg after a DEPTH-token prompt) and llama-cli on a prompt of DEPTH
# tokens (its "eval time" line: the N generated tokens). Prints both tokens/s and the ratio.
# Usage: scripts/tg-depth-vs-llama.sh MODEL.gguf DEPTH [N] [THREADS]
set -euo pipefail
model=$1 depth=$2 n=${3:-16} threads=${4:-$(nproc)}
bin=${LLAMA_BIN:-/work/peers/llama.cpp/build/bin}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# a prompt of DEPTH tokens for llama.cpp: BOS + DEPTH-1 words that are one Llama token each
python3 -c "import random,sys; random.seed(1); w='def return self value list index range print import class for while if else'.split(); print(' '.join(random.choice(w) for _ in range(int(sys.argv[1]) - 1)), end='')" "$depth" > "$out/words.txt"
ours=$("$root/codellm" bench -m "$model" -p "$depth" -n "$n" -t "$threads" --json 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)['tg_tokens_per_s'])")
"$bin/llama-cli" -m "$model" -t "$threads" -c $((depth + n + 8)) -n "$n" --temp 0 --ignore-eos -no-cnv -f "$out/words.txt" \
    2>"$out/llama.log" >/dev/null </dev/null || true
llama=$(sed -n 's/.* eval time = .*runs *(.*, *\([0-9.]*\) tokens per second.*/\1/p' "$out/llama.log" | tail -1)
ptoks=$(sed -n 's/.*prompt eval time = .*\/ *\([0-9]*\) tokens.*/\1/p' "$out/llama.log" | tail -1)
echo "depth $depth (llama.cpp prompt $ptoks tokens): tg codellm $ours tok/s, llama.cpp $llama tok/s"
