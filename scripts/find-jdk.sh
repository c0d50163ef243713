# Sourced by ./codellm, ./run-tests and .ci/run: sets JAVA_HOME to a JDK 25 or newer.
# Order: $JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm (or $CODELLM_JVM_DIR).
# Prints one actionable line and returns 1 when none is found.

codellm_java_major() { # JAVA_HOME-like dir -> major version (or empty)
  local rel="$1/release"
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$rel" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
  else
    "$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'
  fi
}

codellm_find_jdk() {
  local want=25 v best="" bestv=0 d
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(codellm_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$want" ]; then export JAVA_HOME; return 0; fi
  fi
  for d in "${CODELLM_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -d "$d" ] || continue
    v=$(codellm_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge "$want" ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
  done
  if [ -z "$best" ]; then
    echo "codellm: error: JDK $want or newer not found (JAVA_HOME=${JAVA_HOME:-unset}, searched ${CODELLM_JVM_DIR:-/usr/lib/jvm}); install one (e.g. Temurin 25) or set JAVA_HOME to it" >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
