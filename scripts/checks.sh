#!/usr/bin/env bash
# The static checks `make test` runs (suite "checks"): Rust formatting, clippy with warnings as
# errors on every target of the workspace (over the debug build's dependencies), svelte-check and tsc for ui/, and cargo-deny's
# dependency policy (deny.toml). Every check runs; the script fails at the end, naming those that
# failed. Needs ui/dist (Tauri embeds it when src-tauri compiles) and .tools/bin/cargo-deny (the
# first comes with `make test-checks`; cargo-deny is built here when missing).
# Usage: scripts/checks.sh [fmt|clippy|svelte|tsc|deny]...   (all by default)
#        scripts/checks.sh tools   only build cargo-deny into .tools (`make test` does it in the background)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
all=(fmt clippy svelte tsc deny)

# No registry here ships cargo-deny prebuilt, so it is built once per clone, without its release
# profile's fat LTO (it runs for seconds; the LTO would double a build of ~4 CPU-minutes).
tools() {
  [[ -x .tools/bin/cargo-deny ]] && return 0
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-deny --locked --version '~0.20' --root .tools
}
if [[ ${1:-} == tools ]]; then tools; exit; fi
wanted=("${@:-${all[@]}}")
for w in "${wanted[@]}"; do
  [[ " ${all[*]} " == *" $w "* ]] || { echo "checks: no check '$w' (have: ${all[*]})" >&2; exit 2; }
done

# Clippy as the workspace's compiler (clippy-driver compiles and lints; dependencies are built
# by plain rustc as for the tests), so it reuses the test build's dependencies instead of checking
# all of them again: only Berth's own crates are compiled, every target (tests and examples too).
# Their warnings fail the check (cargo shows them again from its cache when nothing changed).
clippy() {
  local log
  log=$(mktemp)
  RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver" \
    cargo build --workspace --all-targets --locked --message-format short 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]} warnings
  warnings=$(grep -c ': warning: \|^warning: .* generated [0-9]* warning' "$log" || true)
  rm -f "$log"
  ((status == 0)) || return 1
  if ((warnings)); then echo "checks: clippy warned (above); fix or allow each with a reason" >&2; return 1; fi
}

# RustSec advisories come from a git repository on GitHub, which CI here cannot reach (only the
# package registries). Fetch it; failing that, use the copy fetched last if it is under 90 days
# old (cargo-deny refuses an older one); failing that, check the rest and say so in one loud line.
deny() {
  local bin=.tools/bin/cargo-deny db=${CARGO_HOME:-$HOME/.cargo}/advisory-dbs
  tools || { echo "checks: could not build $bin" >&2; return 1; }
  local checks=(advisories bans licenses sources) err fetched
  if err=$("$bin" --log-level error fetch db 2>&1); then
    echo "checks: RustSec advisory database fetched"
  else
    fetched=$(find "$db" -path '*/.git/FETCH_HEAD' -mtime -90 2>/dev/null | head -1)
    if [[ -n $fetched ]]; then
      echo "checks: the RustSec advisory database cannot be fetched; using the copy of $(date -r "$fetched" +%F)"
    else
      echo "!!! ADVISORIES NOT CHECKED: the RustSec advisory database cannot be fetched here, and no copy"
      echo "!!! under 90 days old is in $db (cargo-deny: ${err##*$'\n'})."
      echo "!!! Bans, licenses and sources are checked. Run 'make test-checks' where GitHub is reachable."
      checks=(bans licenses sources)
    fi
  fi
  # Every platform's crates (licences are read from their sources), then no network at all.
  cargo fetch --locked --quiet
  "$bin" --offline --locked check "${checks[@]}"
}

failed=()
run() {
  local name=$1
  shift
  [[ " ${wanted[*]} " == *" $name "* ]] || return 0
  echo "==> checks: $name"
  "$@" || failed+=("$name")
}
run fmt cargo fmt --all --check
run clippy clippy
run svelte npm --prefix ui run --silent check
run tsc ui/node_modules/.bin/tsc --noEmit -p ui/tsconfig.json
run deny deny

if ((${#failed[@]})); then
  echo "checks: failed: ${failed[*]}" >&2
  exit 1
fi
echo "checks: passed: ${wanted[*]}"
