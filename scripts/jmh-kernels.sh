#!/usr/bin/env bash
# JMH micro-benchmarks of the weight kernels (codellm-model/src/test/java/dev/codellm/model/bench).
# Extra arguments go to JMH, e.g.: scripts/jmh-kernels.sh -p type=Q4_0,Q8_0 -p kernels=native -p batch=1
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exec "$root/scripts/run-model-test-class.sh" org.openjdk.jmh.Main KernelBench "$@"
