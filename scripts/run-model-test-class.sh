#!/usr/bin/env bash
# Runs a main class from codellm-model's test classes (its benchmarks: JMH's KernelBench, PoolBench)
# on JDK 25 with the module's test classpath, built in the reactor (codellm-core is not installed).
# Usage: scripts/run-model-test-class.sh MAIN_CLASS [ARGS...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/find-jdk.sh"
codellm_find_jdk || exit 1
cd "$root"
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
# The last module written is codellm-model, so the file holds its test classpath.
mvn -B -q -ntp -pl codellm-model -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "codellm-model/target/test-classes:codellm-model/target/classes:codellm-core/target/classes:$(cat "$cpfile")" \
  "$@"
