#!/usr/bin/env bash
# Installs (idempotently) every Debian package the tests and tools need: the lists in
# scripts/packages/*.txt. ./run-tests runs this itself; ./codellm installs per command what
# that command needs. Quiet when everything is present.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/packages.sh"
codellm_ensure_packages "codellm's tests and tools" "$@"
