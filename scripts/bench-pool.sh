#!/usr/bin/env bash
# Dispatch cost of the forward pass's thread pool (issue 19): the spinning Parallel against the
# ExecutorService pool it replaced, side by side in one run (codellm-model's test class PoolBench).
# Usage: scripts/bench-pool.sh [threads=2] [gaps µs=0,20,5000] [repeats=5] [seconds=1]
# Env: CODELLM_SPIN_US (the spin before an idle worker parks, default 200).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/run-model-test-class.sh" dev.codellm.model.bench.PoolBench "$@" 2>&1 | grep -v '^WARNING: Using incubator'
