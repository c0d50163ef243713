#!/usr/bin/env bash
# The full DS-1000 reference run (not a test; CI runs a fixed sample, Ds1000RunTest): every
# problem's reference solution in the sandbox, its wall time, and every scoreable problem whose
# reference fails, with the error (docs/eval.md lists them). BATCH=1 measures the cost to beat:
# one interpreter start (and library imports) per problem instead of one per batch of 20.
# Usage: codellm-eval/bench/ds1000-reference.sh [dataset]   (default: ds1000)
# Env: JOBS (default 2), BATCH (default 20), OUT (default /tmp/codellm-ds1000-reference)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ds=${1:-ds1000}; jobs=${JOBS:-2}; batch=${BATCH:-20}; out=${OUT:-/tmp/codellm-ds1000-reference}
"$root/codellm" --version >/dev/null
rm -rf "$out"
start=$(date +%s.%N)
CODELLM_JAVA_OPTS="-Dcodellm.ds1000.batch=$batch" "$root/codellm" eval --dataset "$ds" --canonical --jobs "$jobs" --out "$out" \
  | grep -E "scoreable|^canonical"
end=$(date +%s.%N)
printf '%s: %s s wall (--jobs %s, batch %s)\n' "$ds" "$(/usr/bin/python3 -c "print(round($end - $start, 1))")" "$jobs" "$batch"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
res = json.load(open(out + "/ds1000_results.json"))["eval"]
bad = [(t, r) for t, r in res.items() if "not_scoreable" not in r and not r["samples"][0]["passed"]]
print("scoreable references failing: %d" % len(bad))
for t, r in bad:
    print("  %s (%s): %s" % (t, r["library"], r["samples"][0].get("error", r["samples"][0]["status"])))
PY
