#!/usr/bin/env bash
# `codellm serve` against `llama-server` on one GGUF file, one server at a time, same client
# (scripts/bench-serve-client.py), same slots and threads (issue 19, "Many streams"):
#  - aggregate completion tokens/s of greedy streamed /v1/completions at each stream count (the
#    requests spread over that many concurrent clients), with the time to first token p50/p95;
#  - a long prompt arriving while STREAMS_MID streams generate: its time to first token, the
#    running streams' tokens/s and longest gap between tokens while it is read (chunked prefill);
#  - whether each server gave every prompt the same greedy text at every stream count (batching
#    must not change an answer).
# Prints one Markdown table and the load average. Unattended: every server runs in its own process
# group and is killed on any exit (error, Ctrl-C, SIGTERM); a server that dies, or a phase that
# runs past PHASE_TIMEOUT seconds, ends the run with its log's tail. Needs python3 and curl.
#
#   scripts/bench-serve-vs-llama-server.sh LLAMA_BIN_DIR [MODEL.gguf]
#   env: STREAMS="1 4 8" PARALLEL=8 THREADS=2 MAX_TOKENS=64 REQUESTS_PER_STREAM=2 CTX=2048
#        LONG_TOKENS=1900 (fits CTX) STREAMS_MID=3 MID_TOKENS=160 REPEATS=1 SIDES="codellm llama"
#        PHASE_TIMEOUT=1800 REQUEST_TIMEOUT=600 DIR=where the default model is made
#   A first try with small settings:
#        STREAMS="1 4" MAX_TOKENS=8 REQUESTS_PER_STREAM=1 CTX=512 LONG_TOKENS=300 MID_TOKENS=24
# Without MODEL it uses (and makes once, with synth-model) the CodeLlama-7B-shaped 4-layer Q4_0
# file $DIR/cl7b-4L-Q4_0.gguf, the one scripts/bench-vs-llamacpp.sh uses.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:?usage: $0 LLAMA_BIN_DIR [MODEL.gguf]}
dir=${DIR:-${TMPDIR:-/tmp}/codellm-bench-files}
model=${2:-$dir/cl7b-4L-Q4_0.gguf}
streams=${STREAMS:-1 4 8}
parallel=${PARALLEL:-8}
threads=${THREADS:-2}
max_tokens=${MAX_TOKENS:-64}
per_stream=${REQUESTS_PER_STREAM:-2}
ctx=${CTX:-2048}
long_tokens=${LONG_TOKENS:-1900}
streams_mid=${STREAMS_MID:-3}
mid_tokens=${MID_TOKENS:-160}
repeats=${REPEATS:-1}
sides=${SIDES:-codellm llama}
phase_timeout=${PHASE_TIMEOUT:-1800}
export CODELLM_BENCH_REQUEST_TIMEOUT=${REQUEST_TIMEOUT:-600}
die() { echo "bench-serve-vs-llama-server: $*" >&2; exit 1; }
case " $sides " in *" llama "*) [ -x "$bin/llama-server" ] || die "no llama-server in $bin (build llama.cpp: cmake -DGGML_NATIVE=ON -DLLAMA_CURL=OFF, target llama-server)" ;; esac
for n in $streams; do [ "$n" -le "$parallel" ] || die "STREAMS has $n but PARALLEL is $parallel: every stream needs its own slot"; done
[ $((streams_mid + 1)) -le "$parallel" ] || die "STREAMS_MID=$streams_mid needs PARALLEL >= $((streams_mid + 1))"
[ "$long_tokens" -lt "$ctx" ] || die "LONG_TOKENS=$long_tokens does not fit CTX=$ctx"
command -v curl >/dev/null || die "needs curl"
if [ ! -f "$model" ]; then
  [ -z "${2:-}" ] || die "no model file $model"
  mkdir -p "$dir"
  "$root/codellm" synth-model --shape codellama-7b --layers 4 --type Q4_0 "$model" >&2 || die "could not make $model"
fi
client="$root/scripts/bench-serve-client.py"
out=$(mktemp -d "${TMPDIR:-/tmp}/codellm-bench-serve.XXXXXX")
server_pid= server_side= client_pid=

# kills a process group: TERM, then KILL after 15 s (a server draining its requests)
kill_group() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do kill -0 -- "-$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
stop_server() {
  if [ -n "$client_pid" ]; then kill_group "$client_pid"; wait "$client_pid" 2>/dev/null || true; client_pid=; fi
  if [ -n "$server_pid" ]; then kill_group "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; fi
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_in_use() { python3 -c 'import socket, sys; s=socket.socket(); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"; }
server_failed() { # why
  echo "--- last lines of $out/$server_side.log:" >&2
  tail -n 20 "$out/$server_side.log" >&2 || true
  die "$server_side: $1"
}

start_server() { # side port
  server_side=$1
  local port=$2
  port_in_use "$port" && die "port $port is already in use"
  if [ "$server_side" = codellm ]; then
    setsid "$root/codellm" serve --model "$model" --port "$port" --parallel "$parallel" --ctx "$ctx" --threads "$threads" \
      --log-format none >"$out/$server_side.log" 2>&1 &
  else # llama-server's -c is the total of all slots
    setsid "$bin/llama-server" -m "$model" --port "$port" -np "$parallel" -c $((ctx * parallel)) -t "$threads" \
      >"$out/$server_side.log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 1 1200); do
    kill -0 "$server_pid" 2>/dev/null || server_failed "exited before answering /health"
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  server_failed "no answer from /health in 600 s"
}

# runs the client in the background so the server's death or a stuck phase is noticed at once;
# its output is left in $out/client.out (not piped: a pipe would run this in a subshell)
run_client() { # the client's arguments
  setsid python3 "$client" "$@" >"$out/client.out" 2>"$out/client.err" &
  client_pid=$!
  local start=$SECONDS
  while kill -0 "$client_pid" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      kill_group "$client_pid"; client_pid=
      server_failed "died during '$*'"
    fi
    if [ $((SECONDS - start)) -gt "$phase_timeout" ]; then
      if [ "$server_side" = codellm ] && [ -x "${JAVA_HOME:-}/bin/jstack" ]; then
        "$JAVA_HOME/bin/jstack" "$server_pid" >"$out/codellm.jstack" 2>&1 || true
      fi
      kill_group "$client_pid"; client_pid=
      server_failed "'$*' ran past PHASE_TIMEOUT=$phase_timeout s (threads in $out/codellm.jstack)"
    fi
    sleep 0.5
  done
  local rc=0
  wait "$client_pid" || rc=$?
  client_pid=
  [ "$rc" -eq 0 ] || { cat "$out/client.err" >&2; server_failed "the client failed on '$*'"; }
}

[ -n "${JAVA_HOME:-}" ] || { . "$root/scripts/find-jdk.sh"; codellm_find_jdk >/dev/null 2>&1 || true; }
echo "model $model; $parallel slots of $ctx tokens, $threads threads; load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2
for r in $(seq 1 "$repeats"); do
  for side in $sides; do
    port=$(free_port)
    start_server "$side" "$port"
    url="http://127.0.0.1:$port"
    max_n=0; for n in $streams; do [ "$n" -gt "$max_n" ] && max_n=$n; done
    run_client throughput "$url" "$max_n" "$max_n" 8 warm-up # JIT, caches, every slot once
    for n in $streams; do
      echo "$side repeat $r: $n streams ..." >&2
      run_client throughput "$url" "$n" $((n * per_stream)) "$max_tokens"
      sed "s/^/$side $r /" "$out/client.out" >>"$out/throughput"
    done
    echo "$side repeat $r: a $long_tokens-token prompt while $streams_mid streams generate ..." >&2
    run_client midstream "$url" "$streams_mid" "$long_tokens" "$mid_tokens"
    sed "s/^/$side $r /" "$out/client.out" >>"$out/midstream"
    stop_server
  done
done

python3 - "$out/throughput" "$out/midstream" "$long_tokens" "$streams_mid" <<'PY'
import json, statistics, sys
def load(path):
    rows = {}
    for line in open(path):
        side, rep, js = line.split(" ", 2)
        rows.setdefault(side, []).append(json.loads(js))
    return rows
tp, mid, long_tokens, streams_mid = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3], sys.argv[4]
sides = [s for s in ("codellm", "llama") if s in tp]
m = statistics.median
def cell(rows, key, fmt="{:.1f}"):
    return fmt.format(m(r[key] for r in rows)) if rows else "–"
def ratio(c, l, key):
    if not c or not l:
        return "–"
    rs = [a[key] / b[key] for a, b in zip(c, l) if b[key] > 0]
    if not rs:
        return "–"
    spread = f" ({min(rs):.2f}–{max(rs):.2f})" if len(rs) > 1 else ""
    return f"**{m(rs):.2f}**{spread}"
print("| case | codellm tok/s | llama-server tok/s | ratio (spread) | codellm TTFT p50 / p95 s | llama-server TTFT p50 / p95 s | longest token gap s, codellm / llama-server |")
print("|---|---:|---:|---:|---:|---:|---:|")
for n in sorted({r["streams"] for s in sides for r in tp[s]}):
    c = [r for r in tp.get("codellm", []) if r["streams"] == n]
    l = [r for r in tp.get("llama", []) if r["streams"] == n]
    t = lambda rows: f"{m(r['ttft_p50'] for r in rows):.2f} / {m(r['ttft_p95'] for r in rows):.2f}" if rows else "–"
    print(f"| {n} stream{'s' if n > 1 else ''} | {cell(c, 'tok_s')} | {cell(l, 'tok_s')} | {ratio(c, l, 'tok_s')} | {t(c)} | {t(l)} | |")
c, l = mid.get("codellm", []), mid.get("llama", [])
print(f"| ~{long_tokens}-token prompt arriving while {streams_mid} stream(s) generate: their tok/s while it is read; its TTFT | "
      f"{cell(c, 'streams_tok_s')} | {cell(l, 'streams_tok_s')} | {ratio(c, l, 'streams_tok_s')} | {cell(c, 'long_ttft', '{:.2f}')} | "
      f"{cell(l, 'long_ttft', '{:.2f}')} | {cell(c, 'gap_max', '{:.2f}')} / {cell(l, 'gap_max', '{:.2f}')} |")
print()
for s in sides:  # the same prompt must get the same greedy text whatever the number of streams
    seen, differ = {}, []
    for r in tp[s]:
        for k, text in r.get("texts", {}).items():
            if k in seen and seen[k] != text:
                differ.append(f"prompt {k} at {r['streams']} streams")
            seen.setdefault(k, text)
    name = "llama-server" if s == "llama" else s
    print(f"{name}: greedy texts of {len(seen)} prompts across stream counts and repeats: "
          + ("identical" if not differ else f"DIFFER ({len(differ)}: {', '.join(differ[:4])})"))
PY
echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); raw results in $out)"
