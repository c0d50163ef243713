#!/usr/bin/env python3
"""The client of scripts/bench-serve-vs-llama-server.sh: the same requests to either server.

  bench-serve-client.py throughput URL STREAMS REQUESTS MAX_TOKENS [TAG]
      REQUESTS greedy /v1/completions (distinct short prompts, streamed) from STREAMS concurrent
      clients; prints one JSON line: aggregate completion tokens/s over the wall time, the time to
      first token (p50/p95) of the requests, and each prompt's completion text (prompt i is the
      same in every run with the same TAG, so the texts of two runs can be compared).
  bench-serve-client.py midstream URL STREAMS LONG_TOKENS MAX_TOKENS
      STREAMS streams generate; once each has its first tokens a long prompt (about LONG_TOKENS
      tokens of code) arrives; prints one JSON line: the long prompt's time to first token and the running
      streams' gaps between tokens (p50/p95/max) and their aggregate tokens/s while it was read.
Standard library only; every request is streamed so the first token's time is seen. Each read
waits at most CODELLM_BENCH_REQUEST_TIMEOUT seconds (default 600), so a stuck server ends the run
with an error instead of a hang.
"""
import http.client
import json
import os
import sys
import threading
import time
from urllib.parse import urlparse

REQUEST_TIMEOUT = float(os.environ.get("CODELLM_BENCH_REQUEST_TIMEOUT", "600"))


def stream_completion(url, prompt, max_tokens, on_token=None):
    """Sends one streamed greedy completion; returns (token times, completion tokens, text)."""
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=REQUEST_TIMEOUT)
    body = json.dumps({"prompt": prompt, "max_tokens": max_tokens, "temperature": 0, "stream": True,
                       "stream_options": {"include_usage": True}})
    conn.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {resp.read()[:200]!r}")
    times, tokens, usage, text = [], 0, None, []
    for raw in resp:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        event = json.loads(data)
        if event.get("usage"):
            usage = event["usage"].get("completion_tokens")
        for choice in event.get("choices") or []:
            if choice.get("text"):
                text.append(choice["text"])
                now = time.monotonic()
                times.append(now)
                tokens += 1
                if on_token:
                    on_token(now)
    conn.close()
    return times, usage if usage is not None else tokens, "".join(text)


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def throughput(url, streams, requests, max_tokens, tag="request"):
    lock = threading.Lock()
    next_id = [0]
    ttft, total = [], [0]
    errors = []
    texts = {}

    def worker():
        while True:
            with lock:
                i = next_id[0]
                next_id[0] += 1
            if i >= requests:
                return
            prompt = f"# {tag} {i}: a function that returns the {i}th prime number\ndef prime_{i}(n):"
            t0 = time.monotonic()
            try:
                times, n, text = stream_completion(url, prompt, max_tokens)
            except Exception as e:  # noqa: BLE001 - reported, the run fails
                errors.append(str(e))
                return
            with lock:
                total[0] += n
                texts[i] = text
                if times:
                    ttft.append(times[0] - t0)

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(streams)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    if errors:
        sys.exit("bench-serve-client: " + errors[0])
    print(json.dumps({"streams": streams, "requests": requests, "tokens": total[0], "seconds": round(wall, 2),
                      "tok_s": round(total[0] / wall, 2), "ttft_p50": round(pct(ttft, 50), 3),
                      "ttft_p95": round(pct(ttft, 95), 3), "texts": {str(k): texts[k] for k in sorted(texts)}}))


def midstream(url, streams, long_tokens, max_tokens):
    started = threading.Barrier(streams + 1)
    gaps_lock = threading.Lock()
    window = {"from": None, "to": None}
    stamps = [[] for _ in range(streams)]
    errors = []

    def runner(k):
        seen = [0]

        def on_token(now):
            stamps[k].append(now)
            seen[0] += 1
            if seen[0] == 3:
                try:
                    started.wait()
                except threading.BrokenBarrierError:
                    pass
        try:
            stream_completion(url, f"# stream {k}\ndef helper_{k}(items):", max_tokens, on_token)
        except Exception as e:  # noqa: BLE001
            errors.append(str(e))
            started.abort()
            return
        if seen[0] < 3:  # ended early (a stop token): count it as started, or the others wait forever
            try:
                started.wait()
            except threading.BrokenBarrierError:
                pass

    threads = [threading.Thread(target=runner, args=(k,)) for k in range(streams)]
    for t in threads:
        t.start()
    try:
        started.wait(timeout=REQUEST_TIMEOUT)
    except threading.BrokenBarrierError:
        sys.exit("bench-serve-client: " + (errors[0] if errors else "the streams did not start"))
    # about 16 Code Llama tokens an assignment (100 of them: 1,576 tokens)
    body = " ".join(f"value_{i % 97} = compute(value_{(i * 7) % 97}, {i})" for i in range(long_tokens // 16))
    prompt = "# a long file\n" + body + "\ndef summary():"
    t0 = time.monotonic()
    window["from"] = t0
    try:
        times, _, _ = stream_completion(url, prompt, 4)
    except Exception as e:  # noqa: BLE001
        sys.exit("bench-serve-client: the long prompt: " + str(e))
    window["to"] = times[0] if times else time.monotonic()
    for t in threads:
        t.join()
    if errors:
        sys.exit("bench-serve-client: " + errors[0])
    gaps, during = [], 0
    with gaps_lock:
        for s in stamps:
            for a, b in zip(s, s[1:]):
                if b >= window["from"] and a <= window["to"]:
                    gaps.append(b - a)
            during += sum(1 for t in s if window["from"] <= t <= window["to"])
    seconds = max(window["to"] - window["from"], 1e-9)
    print(json.dumps({"streams": streams, "long_ttft": round(window["to"] - t0, 3),
                      "gap_p50": round(pct(gaps, 50), 3), "gap_p95": round(pct(gaps, 95), 3),
                      "gap_max": round(max(gaps) if gaps else float("nan"), 3),
                      "streams_tok_s": round(during / seconds, 2)}))


if __name__ == "__main__":
    if len(sys.argv) < 6 or sys.argv[1] not in ("throughput", "midstream"):
        sys.exit(__doc__)
    mode, url, a, b, c = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    if mode == "throughput":
        throughput(url, a, b, c, *sys.argv[6:7])
    else:
        midstream(url, a, b, c)
