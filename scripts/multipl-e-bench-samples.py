#!/usr/bin/env python3
"""Writes a MultiPL-E samples file with one fixed completion per problem of a language.

Used to benchmark the toolchain + sandbox cost per program (docs/multipl-e.md, "Benchmark"):
    scripts/multipl-e-bench-samples.py ts > /tmp/ts-empty.jsonl
    scripts/multipl-e-bench-samples.py --stub ts > /tmp/ts-stub.jsonl
The default completion is empty, which most languages reject at compile/parse time (so it times
the failing compile only). --stub writes a body that compiles and throws (a "not implemented"),
so every program is compiled AND run and fails its first test: the full per-program cost.
    ./codellm eval --dataset multipl-e/ts --samples /tmp/ts-empty.jsonl --jobs 2 --out /tmp/bench-ts
Reads ../shared/datasets/multipl-e/humaneval-<lang>.jsonl.gz (or $CODELLM_SHARED/datasets/...).
Standard library only.
"""
import gzip
import json
import os
import pathlib
import sys


def shared_root() -> pathlib.Path:
    env = os.environ.get("CODELLM_SHARED")
    if env:
        return pathlib.Path(env)
    for d in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]:
        if (d / "shared").is_dir():
            return d / "shared"
    sys.exit("error: shared data not found (set CODELLM_SHARED)")


# A body that compiles and fails at run time. Where the dataset's tests start with the function's
# closing brace (cpp java cs sh rs) the stub must not close it; elsewhere it must.
STUBS = {
    "cpp": "    throw 0;\n",
    "java": "        throw new UnsupportedOperationException();\n",
    "cs": "        throw new System.NotImplementedException();\n",
    "sh": "    return 1\n",
    "rs": "    unimplemented!()\n",
    "js": "  throw new Error(\"stub\");\n}\n",
    "ts": "  throw new Error(\"stub\");\n}\n",
    "php": "  throw new Exception(\"stub\");\n}\n",
    "go": "  panic(\"stub\")\n}\n",
}


def main() -> None:
    args = sys.argv[1:]
    stub = args[:1] == ["--stub"]
    if stub:
        args = args[1:]
    if len(args) != 1 or args[0] not in STUBS:
        sys.exit("usage: multipl-e-bench-samples.py [--stub] LANG   (cpp java js ts php cs sh rs go)")
    lang = args[0]
    completion = STUBS[lang] if stub else ""
    data = shared_root() / "datasets" / "multipl-e" / f"humaneval-{lang}.jsonl.gz"
    if not data.is_file():
        sys.exit(f"error: MultiPL-E file not found: {data}")
    with gzip.open(data, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                print(json.dumps({"task_id": row["name"], "language": lang, "completion": completion}))


if __name__ == "__main__":
    main()
