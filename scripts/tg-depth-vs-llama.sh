#!/usr/bin/env bash
# Generation speed at a context depth, codellm against llama.cpp on the same file in one run
# (issue 19, long context), for each depth and KV-cache type:
#   codellm:   bench --depth D -p 0 -n N --kv-type KV   (fills D tokens, then times N generated ones)
#   llama.cpp: llama-bench -p D -n 0 -pg D,N -ctk KV -ctv KV -fa FA  (at c392e50 llama-bench has no
#              depth flag: tg at depth D = N / (time of pp D + tg N  -  time of pp D), both in one call)
# Prints a markdown table: tg tokens/s both sides and the ratio, plus the depth fill speed (pp).
# Usage: scripts/tg-depth-vs-llama.sh MODEL.gguf [N] [THREADS]
# Env: DEPTHS="4096 16384", KV="f16 q8_0", FA=1 (llama.cpp needs flash attention for a q8_0 V cache),
#      REPEATS=1, LLAMA_BIN=dir of llama-bench, CODELLM=command to run codellm
set -euo pipefail
model=$1 n=${2:-32} threads=${3:-$(nproc)}
bin=${LLAMA_BIN:-/work/peers/llama.cpp/build/bin}
root=$(cd "$(dirname "$0")/.." && pwd)
read -r -a codellm <<< "${CODELLM:-$root/codellm}"
depths=${DEPTHS:-"4096 16384"} kvs=${KV:-"f16 q8_0"} fa=${FA:-1} repeats=${REPEATS:-1}
[ -x "$bin/llama-bench" ] || { echo "tg-depth-vs-llama: no llama-bench in $bin" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for d in $depths; do
  for kv in $kvs; do
    for r in $(seq "$repeats"); do
      echo "depth $d, kv $kv, repeat $r: codellm..." >&2
      "${codellm[@]}" bench -m "$model" --depth "$d" -p 0 -n "$n" -t "$threads" --kv-type "$kv" --json 2>/dev/null \
          > "$out/c-$d-$kv-$r.json" || echo '{}' > "$out/c-$d-$kv-$r.json"
      echo "depth $d, kv $kv, repeat $r: llama.cpp..." >&2
      "$bin/llama-bench" -m "$model" -p "$d" -n 0 -pg "$d,$n" -t "$threads" -ctk "$kv" -ctv "$kv" -fa "$fa" -r 1 -o json \
          2>/dev/null > "$out/l-$d-$kv-$r.json" || echo '[]' > "$out/l-$d-$kv-$r.json"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$out" "$depths" "$kvs" "$repeats" "$n" "$threads" "$fa" <<'PY'
import json, statistics, sys
out, depths, kvs, repeats, n, threads, fa = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
def load(p):
    try:
        with open(p) as f: return json.load(f)
    except Exception: return None
def llama(rows, d):
    """tg at depth d and pp of d tokens from llama-bench's pp-d and pg-d,n tests."""
    pp = next((r for r in rows or [] if r.get("n_prompt") == d and r.get("n_gen") == 0), None)
    pg = next((r for r in rows or [] if r.get("n_prompt") == d and r.get("n_gen") == n), None)
    if not pp or not pg or pg["avg_ns"] <= pp["avg_ns"]: return None, None
    return n / ((pg["avg_ns"] - pp["avg_ns"]) / 1e9), d / (pp["avg_ns"] / 1e9)
fmt = lambda x: "n/a" if x is None else f"{x:.2f}"
print(f"| depth | KV | codellm tg{n} | llama.cpp tg{n} (-fa {fa}) | ratio (spread) | codellm fill pp | llama.cpp pp |")
print("|---:|---|---:|---:|---:|---:|---:|")
for d in depths:
    for kv in kvs:
        ct, lt, cp, lp, ratios = [], [], [], [], []
        for r in range(1, repeats + 1):
            c = load(f"{out}/c-{d}-{kv}-{r}.json") or {}
            t, p = llama(load(f"{out}/l-{d}-{kv}-{r}.json"), int(d))
            if c.get("tg_tokens_per_s"): ct.append(c["tg_tokens_per_s"]); cp.append(c.get("depth_tokens_per_s") or 0)
            if t: lt.append(t); lp.append(p)
            if c.get("tg_tokens_per_s") and t: ratios.append(c["tg_tokens_per_s"] / t)
        med = lambda xs: statistics.median(xs) if xs else None
        spread = f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else ""
        print(f"| {d} | {kv} | {fmt(med(ct))} | {fmt(med(lt))} | {fmt(med(ratios))}{spread} | {fmt(med(cp))} | {fmt(med(lp))} |")
print(f"\n{threads} threads, {repeats} repeat(s); tg after filling the context to the depth; ratio = codellm / llama.cpp.")
PY
