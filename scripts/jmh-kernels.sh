#!/usr/bin/env bash
# JMH micro-benchmarks of the weight kernels (codellm-model/src/test/java/dev/codellm/model/bench).
# Extra arguments go to JMH, e.g.: scripts/jmh-kernels.sh -p type=Q4_0,Q8_0 -p kernels=native -p batch=1
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/find-jdk.sh"
codellm_find_jdk || exit 1
cd "$root"
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
# In the reactor (codellm-core is not installed); the last module written is codellm-model.
mvn -B -q -ntp -pl codellm-model -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null
cp=$(cat "$cpfile")
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "codellm-model/target/test-classes:codellm-model/target/classes:codellm-core/target/classes:$cp" \
  org.openjdk.jmh.Main KernelBench "$@"
