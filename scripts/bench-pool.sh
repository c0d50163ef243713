#!/usr/bin/env bash
# Dispatch cost of the forward pass's thread pool (issue 19): the spinning Parallel against the
# ExecutorService pool it replaced, side by side in one run (codellm-model's test class PoolBench).
# Usage: scripts/bench-pool.sh [threads=2] [gaps µs=0,20,5000] [repeats=5] [seconds=1]
# Env: CODELLM_SPIN_US (the spin before an idle worker parks, default 200).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/find-jdk.sh"
codellm_find_jdk || exit 1
cd "$root"
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
mvn -B -q -ntp -pl codellm-model -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "codellm-model/target/test-classes:codellm-model/target/classes:codellm-core/target/classes:$(cat "$cpfile")" \
  dev.codellm.model.bench.PoolBench "$@" 2>&1 | grep -v '^WARNING: Using incubator'
