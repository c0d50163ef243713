#!/usr/bin/env bash
# codellm convert / quantize / export side by side with llama.cpp on a CodeLlama-7B-shaped checkpoint:
# wall time, MB/s and peak RSS of each step, and whether our Q4_K_M/Q8_0 files are bit-identical
# to llama-quantize's on the same input (tensor by tensor). Writes WORK/results.md.
#
# Usage: scripts/convert-vs-llama.sh WORK [LAYERS] [THREADS]
#   LAYERS: transformer blocks of the 7B shape (default 4: ~2.1 GB F16; 32 = the whole 13.5 GB)
#   LLAMA_BIN (default /work/peers/llama.cpp/build/bin): where llama-quantize and llama-bench live.
# The steps: synth-model (random 7B-shaped F16 GGUF) -> convert --to hf (export) -> convert (HF ->
# F16 GGUF) -> quantize Q4_K_M / Q8_0 with codellm and with llama-quantize, then llama-bench on our
# converted file (llama.cpp loads and runs it).
set -euo pipefail
work=$1
layers=${2:-4}
threads=${3:-2}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${LLAMA_BIN:-/work/peers/llama.cpp/build/bin}
codellm="$root/codellm"
mkdir -p "$work"
rm -rf "$work/hf" "$work"/*.gguf "$work"/*.time
out="$work/results.md"

# one step under /usr/bin/time: NAME BYTES_READ CMD...; records seconds, MB/s over BYTES_READ, peak RSS
step() {
  local name=$1 bytes=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || { echo "$name failed: see $work/$name.log" >&2; exit 1; }
  read -r secs kb <"$work/$name.time"
  python3 - "$name" "$secs" "$kb" "$bytes" >>"$out" <<'PY'
import sys
name, secs, kb, b = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"| {name} | {secs:.1f} | {b / 1e6 / max(secs, 1e-9):.0f} | {kb / 1024:.0f} |")
PY
}

size() { du -sb "$1" | cut -f1; }

echo "# convert / quantize on a CodeLlama-7B shape, $layers layers, $threads threads ($(date -u +%F))" >"$out"
echo >>"$out"
echo "| step | wall s | MB/s (input) | peak RSS MiB |" >>"$out"
echo "|---|---|---|---|" >>"$out"
"$codellm" synth-model --shape codellama-7b --type F16 --layers "$layers" "$work/synth-f16.gguf" >/dev/null
step "codellm convert --to hf (GGUF F16 -> HF)" "$(size "$work/synth-f16.gguf")" "$codellm" convert "$work/synth-f16.gguf" "$work/hf" --to hf
step "codellm convert (HF -> GGUF F16)" "$(size "$work/hf")" "$codellm" convert "$work/hf" "$work/conv-f16.gguf" --type f16 --threads "$threads"
f16=$(size "$work/conv-f16.gguf")
for t in Q4_K_M Q8_0; do
  lt=$(echo "$t" | tr 'A-Z' 'a-z')
  step "codellm quantize $t" "$f16" "$codellm" quantize "$work/conv-f16.gguf" "$work/ours-$lt.gguf" "$lt" --threads "$threads"
  step "llama-quantize $t" "$f16" "$bin/llama-quantize" "$work/conv-f16.gguf" "$work/llama-$lt.gguf" "$t" "$threads"
done
echo >>"$out"
for t in q4_k_m q8_0; do
  /usr/bin/python3 - "$work/ours-$t.gguf" "$work/llama-$t.gguf" "$t" >>"$out" <<'PY'
import sys
sys.path.insert(0, "/work/peers/llama.cpp/gguf-py")
import gguf
a, b = gguf.GGUFReader(sys.argv[1]), gguf.GGUFReader(sys.argv[2])
ta = {t.name: t for t in a.tensors}
tb = {t.name: t for t in b.tensors}
same = sum(1 for n in ta if n in tb and ta[n].tensor_type == tb[n].tensor_type and bytes(ta[n].data) == bytes(tb[n].data))
print(f"- {sys.argv[3]}: {same}/{len(tb)} tensors bit-identical to llama-quantize's (same names: {set(ta) == set(tb)})")
PY
done
"$bin/llama-bench" -m "$work/conv-f16.gguf" -p 16 -n 4 -t "$threads" -r 1 >"$work/llama-bench.log" 2>&1 \
  && echo "- llama-bench loads and runs our converted F16 file: $(grep -c '| llama' "$work/llama-bench.log") result rows" >>"$out" \
  || echo "- llama-bench FAILED on our converted file: see $work/llama-bench.log" >>"$out"
cat "$out"
