#!/usr/bin/env bash
# `codellm serve` against `llama-server` on one GGUF file, one server at a time, same client
# (scripts/bench-serve-client.py), same slots and threads (issue 19, "Many streams"):
#  - aggregate completion tokens/s of greedy streamed /v1/completions at each stream count (the
#    requests spread over that many concurrent clients), with the time to first token p50/p95;
#  - a long prompt arriving while STREAMS_MID streams generate: its time to first token, and the
#    running streams' gaps between tokens while it is read (chunked prefill keeps them short).
# Prints one Markdown table of each. Unattended; needs python3 and curl.
#
#   scripts/bench-serve-vs-llama-server.sh LLAMA_BIN_DIR [MODEL.gguf]
#   env: STREAMS="1 4 8" PARALLEL=4 THREADS=2 MAX_TOKENS=64 REQUESTS_PER_STREAM=2 CTX=2048
#        LONG_TOKENS=1900 (fits CTX) STREAMS_MID=3 MID_TOKENS=160 REPEATS=1
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:?usage: $0 LLAMA_BIN_DIR [MODEL.gguf]}
model=${2:-/work/bench-kern/cl7b-4L-Q4_0.gguf}
streams=${STREAMS:-1 4 8}
parallel=${PARALLEL:-4}
threads=${THREADS:-2}
max_tokens=${MAX_TOKENS:-64}
per_stream=${REQUESTS_PER_STREAM:-2}
ctx=${CTX:-2048}
long_tokens=${LONG_TOKENS:-1900}
streams_mid=${STREAMS_MID:-3}
mid_tokens=${MID_TOKENS:-160}
repeats=${REPEATS:-1}
[ -x "$bin/llama-server" ] || { echo "bench-serve-vs-llama-server: no llama-server in $bin" >&2; exit 1; }
[ -f "$model" ] || { echo "bench-serve-vs-llama-server: no model file $model" >&2; exit 1; }
client="$root/scripts/bench-serve-client.py"
out=$(mktemp -d /tmp/codellm-bench-serve.XXXXXX)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
trap stop_server EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_server() { # side port
  local side=$1 port=$2
  if [ "$side" = codellm ]; then
    "$root/codellm" serve --model "$model" --port "$port" --parallel "$parallel" --ctx "$ctx" --threads "$threads" \
      --log-format none >"$out/$side.log" 2>&1 &
  else # llama-server's -c is the total of all slots
    "$bin/llama-server" -m "$model" --port "$port" -np "$parallel" -c $((ctx * parallel)) -t "$threads" \
      >"$out/$side.log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 1 1200); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$out/$side.log" >&2; echo "bench-serve-vs-llama-server: $side did not start" >&2; exit 1; }
    sleep 0.5
  done
  echo "bench-serve-vs-llama-server: $side did not answer /health" >&2; exit 1
}

for r in $(seq 1 "$repeats"); do
  for side in codellm llama; do
    port=$(free_port)
    start_server "$side" "$port"
    url="http://127.0.0.1:$port"
    python3 "$client" throughput "$url" 1 1 8 >/dev/null # warm-up (JIT, caches)
    for n in $streams; do
      python3 "$client" throughput "$url" "$n" $((n * per_stream)) "$max_tokens" | sed "s/^/$side $r /" >>"$out/throughput"
    done
    python3 "$client" midstream "$url" "$streams_mid" "$long_tokens" "$mid_tokens" | sed "s/^/$side $r /" >>"$out/midstream"
    stop_server
  done
done

python3 - "$out/throughput" "$out/midstream" <<'PY'
import json, statistics, sys
def load(path):
    rows = {}
    for line in open(path):
        side, rep, js = line.split(" ", 2)
        rows.setdefault(side, []).append(json.loads(js))
    return rows
tp, mid = load(sys.argv[1]), load(sys.argv[2])
print("| streams | codellm tok/s | llama-server tok/s | ratio | codellm TTFT p50 / p95 s | llama-server TTFT p50 / p95 s |")
print("|---:|---:|---:|---:|---:|---:|")
for n in sorted({r["streams"] for r in tp["codellm"]}):
    c = [r for r in tp["codellm"] if r["streams"] == n]; l = [r for r in tp["llama"] if r["streams"] == n]
    ct = statistics.median(r["tok_s"] for r in c); lt = statistics.median(r["tok_s"] for r in l)
    spread = "" if len(c) < 2 else " (" + ", ".join(f"{a['tok_s'] / b['tok_s']:.2f}" for a, b in zip(c, l)) + ")"
    print(f"| {n} | {ct:.1f} | {lt:.1f} | **{ct / lt:.2f}**{spread} | {c[-1]['ttft_p50']:.2f} / {c[-1]['ttft_p95']:.2f} | {l[-1]['ttft_p50']:.2f} / {l[-1]['ttft_p95']:.2f} |")
print()
print("| long prompt mid-stream | long prompt TTFT s | running streams' token gap p50 / p95 / max s |")
print("|---|---:|---:|")
for side, name in (("codellm", "codellm"), ("llama", "llama-server")):
    for r in mid[side]:
        print(f"| {name} ({r['streams']} streams) | {r['long_ttft']:.2f} | {r['gap_p50']:.3f} / {r['gap_p95']:.3f} / {r['gap_max']:.3f} |")
PY
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg); raw results in $out)"
