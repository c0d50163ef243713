#!/usr/bin/env bash
# Embeddings per second of `codellm serve` and of llama-server on the same file, in one run: one
# /v1/embeddings request of INPUTS inputs of TOKENS token ids each (the same random ids below 256, valid in any vocabulary, to both,
# sent as token arrays so both embed exactly TOKENS tokens), REPS times alternating, 2 threads each.
# Prints inputs/s per run and the ratio of the medians.
#
#   scripts/bench-embeddings.sh MODEL.gguf LLAMA_CPP_BIN_DIR [INPUTS=64] [TOKENS=128] [REPS=3]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
model=${1:?usage: $0 MODEL.gguf LLAMA_CPP_BIN_DIR [INPUTS] [TOKENS] [REPS]}
bin=${2:?the directory with llama-server}
inputs=${3:-64}; tokens=${4:-128}; reps=${5:-3}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ours=$(free_port); theirs=$(free_port)
work=$(mktemp -d /tmp/codellm-embed-bench.XXXXXX)
"$root/codellm" serve --model "$model" --port "$ours" --parallel 1 --ctx 512 --threads 2 >"$work/codellm.log" 2>&1 &
p1=$!
"$bin/llama-server" -m "$model" --port "$theirs" --embeddings --pooling mean -c 512 -t 2 -np 1 >"$work/llama.log" 2>&1 &
p2=$!
trap 'kill $p1 $p2 2>/dev/null || true; wait $p1 $p2 2>/dev/null || true; rm -rf "$work"' EXIT
for port in "$ours" "$theirs"; do
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done
done
python3 - "$inputs" "$tokens" >"$work/body.json" <<'EOF'
import json, random, sys
n, t = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(7)
print(json.dumps({"input": [[rnd.randrange(3, 256) for _ in range(t)] for _ in range(n)]}))
EOF
run() { curl -sf -o "$work/out.json" -w '%{time_total}' "http://127.0.0.1:$1/v1/embeddings" -H 'Content-Type: application/json' --data-binary @"$work/body.json"; }
run "$ours" >/dev/null; run "$theirs" >/dev/null   # warm-up
a=(); b=()
for r in $(seq 1 "$reps"); do
  a+=("$(run "$ours")"); b+=("$(run "$theirs")")
done
python3 - "$inputs" "${a[*]}" "${b[*]}" "$(uptime)" <<'EOF'
import statistics, sys
n = int(sys.argv[1]); a = [float(x) for x in sys.argv[2].split()]; b = [float(x) for x in sys.argv[3].split()]
print("codellm     inputs/s:", " ".join(f"{n / x:.1f}" for x in a))
print("llama-server inputs/s:", " ".join(f"{n / x:.1f}" for x in b))
ma, mb = n / statistics.median(a), n / statistics.median(b)
print(f"median: codellm {ma:.1f}, llama-server {mb:.1f}, ratio {ma / mb:.2f}; load:{sys.argv[4].split('load average:')[1]}")
EOF
