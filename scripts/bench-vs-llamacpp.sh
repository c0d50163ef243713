#!/usr/bin/env bash
# codellm against llama.cpp on the same files, same threads, in one run (issue 19): for each weight
# type, makes the CodeLlama-7B-shaped file if missing (synth-model --shape codellama-7b --layers 4),
# then alternates `codellm bench --json` and `llama-bench -o json` REPEATS times and prints one
# markdown table: median tokens/s of both for pp and tg, the median ratio and its spread (min-max
# of the per-repeat ratios; the machine is shared, so only ratios from one run mean anything).
# Usage: scripts/bench-vs-llamacpp.sh [LLAMA_CPP_BIN_DIR]
# Env: TYPES="Q4_0 Q8_0 ...", THREADS="1 2", PP=512, TG=64, REPEATS=3, DIR=files dir,
#      KERNELS=amx|avx512|avx2|java (codellm bench --kernels; default the best for this CPU),
#      CODELLM=command to run codellm (default this checkout's launcher)
set -euo pipefail
bin=${1:-${LLAMA_BIN:-/work/peers/llama.cpp/build/bin}}
root=$(cd "$(dirname "$0")/.." && pwd)
read -r -a codellm <<< "${CODELLM:-$root/codellm}"
types=${TYPES:-"Q4_0 Q8_0 Q4_K Q5_K Q6_K F16 BF16"}
threads=${THREADS:-"1 2"}
pp=${PP:-512} tg=${TG:-64} repeats=${REPEATS:-3}
dir=${DIR:-${TMPDIR:-/tmp}/codellm-bench-files}
[ -x "$bin/llama-bench" ] || { echo "bench-vs-llamacpp: no llama-bench in $bin (build llama.cpp: cmake -DGGML_NATIVE=ON -DLLAMA_CURL=OFF; targets llama-bench llama-server)" >&2; exit 1; }
mkdir -p "$dir"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
kflag=()
[ -n "${KERNELS:-}" ] && kflag=(--kernels "$KERNELS")
echo "llama.cpp: $(cd "$bin" && (git -C "$bin" rev-parse --short HEAD 2>/dev/null || echo "$bin")); codellm kernels: $("${codellm[@]}" inspect 2>/dev/null | sed -n 's/^kernels on this CPU: //p' | cut -c1-80)" >&2
for type in $types; do
  f="$dir/cl7b-4L-$type.gguf"
  [ -f "$f" ] || "${codellm[@]}" synth-model --shape codellama-7b --layers 4 --type "$type" "$f" >&2
  for t in $threads; do
    for r in $(seq "$repeats"); do
      "${codellm[@]}" bench -m "$f" -p "$pp" -n "$tg" -t "$t" "${kflag[@]}" --json 2>/dev/null > "$out/c-$type-$t-$r.json" || echo '{}' > "$out/c-$type-$t-$r.json"
      "$bin/llama-bench" -m "$f" -p "$pp" -n "$tg" -t "$t" -r 1 -o json 2>/dev/null > "$out/l-$type-$t-$r.json" || echo '[]' > "$out/l-$type-$t-$r.json"
    done
  done
done
python3 - "$out" "$types" "$threads" "$repeats" "$pp" "$tg" <<'PY'
import json, statistics, sys
out, types, threads, repeats, pp, tg = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4]), sys.argv[5], sys.argv[6]
def load(p):
    try:
        return json.load(open(p))
    except Exception:
        return None
print(f"| type | threads | codellm pp{pp} | llama.cpp pp{pp} | pp ratio (spread) | codellm tg{tg} | llama.cpp tg{tg} | tg ratio (spread) | codellm isa |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for ty in types:
    for t in threads:
        c_pp, l_pp, c_tg, l_tg, isa = [], [], [], [], "?"
        for r in range(1, repeats + 1):
            c = load(f"{out}/c-{ty}-{t}-{r}.json") or {}
            l = load(f"{out}/l-{ty}-{t}-{r}.json") or []
            lp = [x["avg_ts"] for x in l if x.get("n_prompt", 0) > 0 and x.get("n_gen", 0) == 0]
            lg = [x["avg_ts"] for x in l if x.get("n_gen", 0) > 0 and x.get("n_prompt", 0) == 0]
            if "pp_tokens_per_s" in c and lp and lg:
                c_pp.append(c["pp_tokens_per_s"]); c_tg.append(c["tg_tokens_per_s"]); l_pp.append(lp[0]); l_tg.append(lg[0])
                isa = c.get("isa", "?")
        if not c_pp:
            print(f"| {ty} | {t} | failed | | | | | | |")
            continue
        rp = [a / b for a, b in zip(c_pp, l_pp)]
        rg = [a / b for a, b in zip(c_tg, l_tg)]
        m = statistics.median
        print(f"| {ty} | {t} | {m(c_pp):.1f} | {m(l_pp):.1f} | **{m(rp):.2f}** ({min(rp):.2f}–{max(rp):.2f}) | "
              f"{m(c_tg):.2f} | {m(l_tg):.2f} | **{m(rg):.2f}** ({min(rg):.2f}–{max(rg):.2f}) | {isa} |")
PY
