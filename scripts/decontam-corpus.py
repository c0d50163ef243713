#!/usr/bin/python3
"""Decontaminate a source tree against HumanEval(+)/MBPP(+) before training on it.

A file is dropped when its normalised text (lower-case letters and digits only) contains ANY
50-character window of a benchmark item's normalised prompt/solution/tests (the OpenAI-style
50-char substring test, made exhaustive instead of sampling three substrings).

usage: decontam-corpus.py SHARED_DIR SOURCE_DIR OUT_DIR [--exclude SUBSTR ...]
writes OUT_DIR/clean-files.txt (one path a line, the trainer's manifest input) and
OUT_DIR/removed.jsonl ({"path", "task_ids"}) and prints a one-line summary.
Standard library only (run with Debian's /usr/bin/python3).
"""
import gzip
import json
import os
import re
import sys

WINDOW = 50
FIELDS = ("prompt", "canonical_solution", "code", "text", "test", "test_list", "solution")


def normalise(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def benchmark_items(shared):
    files = [
        "datasets/humaneval/HumanEval.jsonl.gz",
        "datasets/humanevalplus/HumanEvalPlus-v0.1.10.jsonl.gz",
        "datasets/mbpp/mbpp.jsonl.gz",
        "datasets/mbppplus/MbppPlus-v0.2.0.jsonl.gz",
    ]
    for rel in files:
        with gzip.open(os.path.join(shared, rel), "rt", encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                parts = []
                for k in FIELDS:
                    v = rec.get(k)
                    if isinstance(v, str):
                        parts.append(v)
                    elif isinstance(v, list):
                        parts.extend(x for x in v if isinstance(x, str))
                # each field separately: windows must not straddle two unrelated fields
                yield "%s/%s" % (rel.split("/")[1], rec.get("task_id")), parts


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    shared, src, out = sys.argv[1:4]
    excludes = sys.argv[5:] if len(sys.argv) > 4 and sys.argv[4] == "--exclude" else []
    windows = {}
    items = 0
    for task, parts in benchmark_items(shared):
        items += 1
        for p in parts:
            n = normalise(p)
            for i in range(len(n) - WINDOW + 1):
                windows.setdefault(n[i:i + WINDOW], set()).add(task)
    os.makedirs(out, exist_ok=True)
    kept, removed = [], []
    for root, dirs, names in os.walk(src):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            if not name.endswith(".py") or any(e in path for e in excludes):
                continue
            try:
                text = open(path, encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            n = normalise(text)
            hits = set()
            for i in range(len(n) - WINDOW + 1):
                t = windows.get(n[i:i + WINDOW])
                if t:
                    hits |= t
            if hits:
                removed.append({"path": path, "task_ids": sorted(hits)})
            else:
                kept.append(path)
    with open(os.path.join(out, "clean-files.txt"), "w") as f:
        f.write("".join(p + "\n" for p in kept))
    with open(os.path.join(out, "removed.jsonl"), "w") as f:
        f.write("".join(json.dumps(r) + "\n" for r in removed))
    print("decontam: %d benchmark items, %d windows; %d files kept, %d removed -> %s"
          % (items, len(windows), len(kept), len(removed), out))


main()
