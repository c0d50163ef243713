#!/usr/bin/env bash
# Prompt-lookup decoding (--lookup N) against plain greedy decoding, side by side in one run:
# generation tokens/s and drafted/accepted tokens on HumanEval prompts and on an "edit this file"
# prompt whose answer repeats its input. The ids must be identical (checked); prints one table.
# Usage: scripts/bench-lookup.sh [MODEL.gguf] [LOOKUP=8] [TOKENS=128] [HUMANEVAL_TASKS=5]
# (default model: the bundled one; random-weight files make acceptance meaningless)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
model=${1:-}
lookup=${2:-8}
tokens=${3:-128}
tasks=${4:-5}
shared=${CODELLM_SHARED:-$root/../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
margs=()
[ -n "$model" ] && margs=(--model "$model")

python3 - "$shared/datasets/humaneval/HumanEval.jsonl.gz" "$tmp" "$tasks" <<'PY'
import gzip, json, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i, line in enumerate(gzip.open(src, 'rt')):
    if i >= n: break
    open(f"{out}/humaneval-{i}.txt", 'w').write(json.loads(line)['prompt'])
# an edit prompt: a file, then the instruction, then the start of the rewritten file
body = ''.join(json.loads(l)['prompt'] + json.loads(l)['canonical_solution'] for l, _ in zip(gzip.open(src, 'rt'), range(2)))
open(f"{out}/edit.txt", 'w').write("# file.py\n" + body + "\n# The same file with `numbers` renamed to `values`:\n" + body.split('\n')[0] + "\n")
PY

printf '| prompt | plain tok/s | --lookup %s tok/s | speed-up | drafted | accepted | ids equal |\n|---|---:|---:|---:|---:|---:|---|\n' "$lookup"
for f in "$tmp"/humaneval-*.txt "$tmp"/edit.txt; do
  name=$(basename "$f" .txt)
  run() {  # $1 = lookup; prints ids to $tmp/ids-$1, stderr to $tmp/err-$1
    nice -n 10 "$root/codellm" complete "${margs[@]}" --temperature 0 -n "$tokens" --ids --lookup "$1" -t 2 --prompt-file "$f" \
      > "$tmp/ids-$1" 2> "$tmp/err-$1"
  }
  run 0; run "$lookup"
  rate() { grep -o 'generation [0-9.]* tokens/s' "$tmp/err-$1" | grep -o '[0-9.]*' || echo 0; }
  p=$(rate 0); l=$(rate "$lookup")
  d=$(grep -o 'lookup: [0-9]* drafted, [0-9]* accepted' "$tmp/err-$lookup" || echo "lookup: 0 drafted, 0 accepted")
  drafted=$(echo "$d" | awk '{print $2}'); accepted=$(echo "$d" | awk '{print $4}')
  same=$(cmp -s "$tmp/ids-0" "$tmp/ids-$lookup" && echo yes || echo NO)
  speed=$(awk -v a="$l" -v b="$p" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$p" "$l" "$speed" "$drafted" "$accepted" "$same"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
