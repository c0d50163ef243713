#!/usr/bin/env bash
# Benchmark (not a test): wall time of testing the canonical solutions of a dataset with all
# plus inputs, RUNS times, and how many per-sample verdicts differ between runs (goal: 0).
# Usage: codellm-eval/bench/canonical-bench.sh [dataset...]   (default: humaneval+ mbpp+)
# Env: JOBS (default 2), RUNS (default 3), OUT (default /tmp/codellm-eval-bench)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jobs=${JOBS:-2}; runs=${RUNS:-3}; out=${OUT:-/tmp/codellm-eval-bench}
datasets=("$@"); [ ${#datasets[@]} -gt 0 ] || datasets=(humaneval+ mbpp+)
mkdir -p "$out"
for ds in "${datasets[@]}"; do
  name=${ds/+/plus}
  # Ground truth is computed once and cached; the warm-up run pays for it and is not timed.
  rm -rf "$out/$name-warm"
  "$root/codellm" eval --dataset "$ds" --canonical --jobs "$jobs" --out "$out/$name-warm" --cache-dir "$out/cache" >/dev/null 2>&1
  for i in $(seq 1 "$runs"); do
    rm -rf "$out/$name-$i"
    start=$(date +%s.%N)
    "$root/codellm" eval --dataset "$ds" --canonical --jobs "$jobs" --out "$out/$name-$i" --cache-dir "$out/cache" 2>/dev/null | grep -E "pass@1" | tr -s ' ' | tr '\n' ' '
    end=$(date +%s.%N)
    printf '\n%s run %d: %s s wall (--jobs %s)\n' "$ds" "$i" "$(/usr/bin/python3 -c "print(round($end - $start, 1))")" "$jobs"
  done
  /usr/bin/python3 - "$out" "$name" "$runs" <<'PY'
import json, sys
out, name, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def verdicts(i):
    v = {}
    for line in open(f"{out}/{name}-{i}/samples_results.jsonl"):
        r = json.loads(line)
        v[(r["task_id"], r["completion_id"])] = (r["base_status"], r["plus_status"])
    return v
vs = [verdicts(i) for i in range(1, runs + 1)]
diff = sorted(k for k in vs[0] if any(v.get(k) != vs[0][k] for v in vs[1:]))
fails = sorted(k[0] for k, s in vs[0].items() if s[0] != "pass" or s[1] not in (None, "pass"))
print(f"{name}: {len(vs[0])} samples, {len(diff)} differ between runs {diff[:10]}, not passing in run 1: {fails}")
PY
done
