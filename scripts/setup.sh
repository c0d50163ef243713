#!/usr/bin/env bash
# Installs (idempotently) every Debian package the tests and tools need: the lists in
# scripts/packages/*.txt. ./run-tests runs this itself; ./codellm installs per command what
# that command needs. Quiet when everything is present.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/packages.sh"
codellm_ensure_packages "codellm's tests and tools" "$@"
# npm packages tests need (e.g. the OpenAI Node SDK for codellm-server's NodeSdkTest): every
# package-lock.json under a module's src/test/node, installed exactly as locked
for lock in "$root"/*/src/test/node/package-lock.json; do
  [ -f "$lock" ] || continue
  dir=$(dirname "$lock")
  if [ ! -d "$dir/node_modules" ] || [ "$lock" -nt "$dir/node_modules" ]; then
    echo "setup: npm ci in ${dir#$root/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
