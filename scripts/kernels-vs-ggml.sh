#!/usr/bin/env bash
# The generation (matrix x vector) kernels alone, codellm's avx512 packed kernels against ggml's
# vec_dot from llama.cpp's libggml-cpu, in one process and one thread, timed in CPU time (issue 19):
# tells kernel speed apart from the rest of a forward pass and stays meaningful on a shared machine.
# Usage: scripts/kernels-vs-ggml.sh [LLAMA_CPP_BIN_DIR]   Env: TYPES="Q4_0 Q8_0 Q4_K Q5_K Q6_K F16 BF16",
# REPEATS=4, ROWS=11008, WS_MB=1536 (matrices of ROWS x 4096 until that many MB of weights: past
# L3, which on some machines is hundreds of MB) or NM=count (small ROWS and NM=1 = from cache);
# NO_BF16_DOT=1 times BF16's float-activation kernel instead of vdpbf16ps; W_OFFSET=32 puts the
# weights at 32 mod 64 bytes (GGUF aligns tensors to 32 only).
set -euo pipefail
bin=${1:-${LLAMA_BIN:-/work/peers/llama.cpp/build/bin}}
root=$(cd "$(dirname "$0")/.." && pwd)
c="$root/codellm-model/src/main/c"
[ -f "$bin/libggml-cpu.so" ] || { echo "kernels-vs-ggml: no libggml-cpu.so in $bin (build llama.cpp: cmake -DGGML_NATIVE=ON -DLLAMA_CURL=OFF)" >&2; exit 1; }
grep -q avx512_vnni /proc/cpuinfo || { echo "kernels-vs-ggml: this CPU has no AVX-512 VNNI (the packed kernels need it)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
inc=${LLAMA_SRC:-$bin/../..}/ggml/include
[ -f "$inc/ggml-backend.h" ] || { echo "kernels-vs-ggml: no ggml headers in $inc (set LLAMA_SRC to the llama.cpp source tree)" >&2; exit 1; }
gcc -O3 -I"$inc" -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512vnni -o "$out/kb" "$root/scripts/kernels-vs-ggml.c" \
    "$c/codellm_activations.c" "$c/codellm_avx512.c" "$c/codellm_avx512_k.c" "$c/codellm_pack_k.c" "$c/codellm_f16.c" \
    -L"$bin" -lggml-cpu -lggml-base -Wl,-rpath,"$bin" -lm
if [ -n "${NM:-}" ]; then ws="$NM matrices"; else ws="${WS_MB:-1536} MB of weights"; fi
echo "rows ${ROWS:-11008} x 4096, $ws, 1 thread, CPU time; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| type | codellm GB/s | ggml vec_dot GB/s | ratio | ggml mul_mat GB/s (weights' buffer) | ratio | y[5] codellm / vec_dot / mul_mat |"
echo "|---|---:|---:|---:|---:|---:|---|"
for t in ${TYPES:-Q4_0 Q8_0 Q4_K Q5_K Q6_K F16 BF16}; do
  case $t in F16) id=1 ;; BF16) id=30 ;; Q4_0) id=2 ;; Q8_0) id=8 ;; Q4_K) id=12 ;; Q5_K) id=13 ;; Q6_K) id=14 ;; *) echo "kernels-vs-ggml: unknown type $t" >&2; exit 1 ;; esac
  "$out/kb" "$id" "${REPEATS:-4}"
done
