# Sourced by ./codellm, ./run-tests and scripts/setup.sh: installs the Debian packages a command
# needs, the first time they are missing. What is needed lives in one place, the per-area lists
# scripts/packages/<area>.txt (package names, '#' starts a comment); this file only checks and
# installs. When everything is present it is silent and costs one dpkg-query (a few ms).
#
# Installs as root directly, otherwise through sudo after saying exactly what it runs; when
# neither works it prints the one command to run. CODELLM_NO_INSTALL=1 only checks and says.
# On systems without dpkg nothing is checked: the command itself reports what it lacks.

codellm_packages_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/packages"

# The package names of the given areas (all areas when none), one per line, sorted, unique.
codellm_packages() {
  local files=() a
  if [ $# -eq 0 ]; then
    files=("$codellm_packages_dir"/*.txt)
  else
    for a in "$@"; do files+=("$codellm_packages_dir/$a.txt"); done
  fi
  sed 's/#.*//' "${files[@]}" | tr -s ' \t' '\n' | sed '/^$/d' | sort -u
}

# Prints which of the given packages are not installed (all of them when dpkg cannot tell).
codellm_packages_missing() {
  [ $# -gt 0 ] || return 0
  local installed
  # dpkg-query exits 1 when a package was never installed: not an error here (callers use set -e)
  installed=$(dpkg-query -W -f='${Package}\t${Status}\n' "$@" 2>/dev/null | awk -F'\t' '$2 ~ / installed$/ {print $1}' || true)
  local p
  for p in "$@"; do
    case $'\n'"$installed"$'\n' in *$'\n'"$p"$'\n'*) ;; *) echo "$p" ;; esac
  done
}

# codellm_ensure_packages WHY AREA... : makes sure the areas' packages are installed; WHY says who
# needs them ("eval (the sandbox)"). Returns 0 when they are (or cannot be checked), 1 otherwise.
codellm_ensure_packages() {
  local why=$1; shift
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local want missing
  mapfile -t want < <(codellm_packages "$@")
  mapfile -t missing < <(codellm_packages_missing "${want[@]}")
  [ ${#missing[@]} -eq 0 ] && return 0

  local install="apt-get install -y --no-install-recommends ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1 || [ "${CODELLM_NO_INSTALL:-0}" = 1 ]; then
      echo "codellm: $why needs ${missing[*]}, not installed: run  sudo $install" >&2
      return 1
    fi
    sudo=(sudo)
    [ -t 0 ] || sudo=(sudo -n) # no terminal to ask for a password on: fail instead of hanging
  elif [ "${CODELLM_NO_INSTALL:-0}" = 1 ]; then
    echo "codellm: $why needs ${missing[*]}, not installed: run  $install" >&2
    return 1
  fi
  echo "codellm: $why needs ${missing[*]}; installing: ${sudo[*]:+${sudo[*]} }$install" >&2
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/codellm-apt.XXXXXX")
  # Try with the package lists as they are; a fresh image has none, so update once and retry.
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
           && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >>"$log" 2>&1; then
      tail -5 "$log" >&2
      echo "codellm: could not install ${missing[*]} (log: $log): run  ${sudo[*]:+sudo }$install" >&2
      return 1
    fi
  fi
  rm -f "$log"
  mapfile -t missing < <(codellm_packages_missing "${want[@]}")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "codellm: still missing after apt-get: ${missing[*]}" >&2
    return 1
  fi
  echo "codellm: installed; continuing" >&2
}

# The areas a `codellm` command line needs at run time, one per line (none for most commands):
# eval runs generated code in the sandbox (MultiPL-E datasets also need their toolchains);
# oss-instruct checks Python solutions with python3. Help and version requests need nothing.
codellm_runtime_areas() {
  local a prev="" dataset=""
  for a in "$@"; do
    case $a in -h | --help | -V | --version) return 0 ;; --dataset=*) dataset=${a#--dataset=} ;; esac
    [ "$prev" = --dataset ] && dataset=$a
    prev=$a
  done
  case "${1:-}" in
    eval)
      [ "${2:-}" = compare ] && return 0
      echo eval
      case $dataset in multipl-e*) echo multipl-e ;; esac
      ;;
    oss-instruct) echo data ;;
  esac
  return 0
}
