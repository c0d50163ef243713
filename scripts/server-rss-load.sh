#!/usr/bin/env bash
# Memory of `codellm serve` under load: starts the server on MODEL, sends REQUESTS requests from 8
# concurrent clients (plain and streamed completions, chats, infills where the model can), samples
# the server's resident set (VmRSS) every 0.2 s, and prints the peak next to the budget
# file + KV caches + 10 % (issue 21 §4). The heap limit is the launcher's own choice unless
# CODELLM_JAVA_OPTS says otherwise.
#
#   scripts/server-rss-load.sh MODEL.gguf [REQUESTS=1000] [PARALLEL=4] [CTX=1024]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
model=${1:?usage: $0 MODEL.gguf [REQUESTS] [PARALLEL] [CTX]}
requests=${2:-1000}
parallel=${3:-4}
ctx=${4:-1024}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp /tmp/codellm-rss.XXXXXX.log)
"$root/codellm" serve --model "$model" --port "$port" --parallel "$parallel" --ctx "$ctx" --queue 64 >"$log" 2>&1 &
launcher=$!
cleanup() { kill "$launcher" 2>/dev/null || true; wait "$launcher" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$launcher" 2>/dev/null || { cat "$log" >&2; echo "server-rss-load: the server did not start" >&2; exit 1; }
  sleep 0.5
done
pid=$(pgrep -P "$launcher" java || echo "$launcher")
heap=$(tr '\0' ' ' <"/proc/$pid/cmdline" | grep -o -- '-Xmx[^ ]*' | tail -1 || true)
infill=$(curl -s "http://127.0.0.1:$port/props" | python3 -c 'import json,sys; print(json.load(sys.stdin)["supports_infill"])')
peak=0
sampler() {
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" >"$log.peak"
    sleep 0.2
  done
}
echo 0 >"$log.peak"
sampler &
sampler_pid=$!
request() {
  local i=$1 base="http://127.0.0.1:$port"
  case $((i % 4)) in
    0) curl -sf "$base/v1/completions" -d "{\"prompt\": \"def f$i(x):\", \"max_tokens\": 4, \"temperature\": 0}" ;;
    1) curl -sfN "$base/v1/completions" -d "{\"prompt\": \"# request $i\", \"max_tokens\": 4, \"stream\": true}" ;;
    2) curl -sf "$base/v1/chat/completions" -d "{\"messages\": [{\"role\": \"user\", \"content\": \"hi $i\"}], \"max_tokens\": 4}" ;;
    3) if [ "$infill" = True ]; then curl -sf "$base/infill" -d "{\"input_prefix\": \"def g$i():\", \"input_suffix\": \"return 1\", \"n_predict\": 4}";
       else curl -sf "$base/v1/completions" -d "{\"prompt\": \"x = $i\", \"max_tokens\": 4}"; fi ;;
  esac >/dev/null || echo "request $i failed" >&2
}
export -f request; export port infill
start=$(date +%s)
seq 1 "$requests" | xargs -P 8 -I{} bash -c 'request {}'
secs=$(( $(date +%s) - start ))
sleep 0.5
kill "$sampler_pid" 2>/dev/null || true
peak=$(cat "$log.peak")
file=$(stat -c %s "$model")
kv_mib=$(grep -oi 'KV cache [a-z0-9]* [0-9.]* MiB' "$log" | head -1 | awk '{print $4}')
python3 - "$file" "$kv_mib" "$parallel" "$peak" "$requests" "$secs" "${heap:-JVM default}" <<'EOF'
import sys
file, kv_mib, parallel, peak_kib, requests, secs, heap = sys.argv[1:]
file = int(file) / 2**20; kv = float(kv_mib) * int(parallel); peak = int(peak_kib) / 1024
budget = (file + kv) * 1.10
print(f"{requests} requests in {secs} s; heap {heap}")
print(f"peak RSS {peak:.0f} MiB; file {file:.0f} MiB + KV {kv:.0f} MiB ({parallel} slots) = {file + kv:.0f} MiB, +10 % = {budget:.0f} MiB")
print(f"peak / (file + KV) = {peak / (file + kv):.3f} -> {'within' if peak <= budget else 'OVER'} the budget")
EOF
rm -f "$log.peak"
