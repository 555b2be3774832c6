#!/usr/bin/env bash
# Fuzz berth-core's parsers of untrusted input (fuzz/fuzz_targets/). Builds every target once
# with libFuzzer's coverage instrumentation (nightly; no sanitizer, the code is safe Rust, but
# debug assertions and overflow checks are on), then runs each for FUZZ_SECONDS (default 30)
# from its corpus in fuzz/corpus/<target>/. Fails on a crash, timeout or memory blow-up and
# leaves the input in target/fuzz/artifacts/<target>/.
# Needs no cargo-fuzz: `cargo fuzz run <target>` works on the same crate for longer sessions.
#
# Usage: scripts/fuzz.sh [target...]        build and run (all targets by default)
#        scripts/fuzz.sh build [target...]  only build (`make test` does it beside the release build)
#        scripts/fuzz.sh cmin [target...]   minimise each corpus, merging in what runs found
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-30}
out=${CARGO_TARGET_DIR:-$root/target}/fuzz
mode=run
if [[ ${1:-} == cmin || ${1:-} == build ]]; then mode=$1; shift; fi

# The targets, each with its libFuzzer options. The compose loader's input is capped in size
# and memory so the blow-ups issue 12 item 7 handles show as such, not as a slow machine.
declare -A opts=(
  [compose]="-max_len=4096 -rss_limit_mb=1024"
  [image_reference]="-max_len=512"
  [dockerignore]="-max_len=2048"
  [dockerfile]="-max_len=4096"
  [credential_helper]="-max_len=2048"
  [logs]="-max_len=4096"
  [stats]="-max_len=8192"
  [build_progress]="-max_len=8192"
  [gitlab_ci]="-max_len=4096 -rss_limit_mb=1024"
)
order=(compose image_reference dockerignore dockerfile credential_helper logs stats build_progress gitlab_ci)
targets=("${@:-${order[@]}}")
for t in "${targets[@]}"; do
  [[ -n ${opts[$t]+x} ]] || { echo "fuzz: no target '$t' (have: ${order[*]})" >&2; exit 2; }
done

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: installing the nightly toolchain (libFuzzer's coverage passes need it)"
  rustup toolchain install nightly --profile minimal
fi
host=$(rustup run nightly rustc -vV | sed -n 's/^host: //p')

# cargo-fuzz's instrumentation. An explicit --target keeps these flags off build scripts and
# proc macros.
flags=(-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4
       -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table
       -Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth
       --cfg fuzzing -Cdebug-assertions -Coverflow-checks)
echo "==> fuzz: building ${targets[*]}"
start=$SECONDS
RUSTFLAGS="${flags[*]}" CARGO_TARGET_DIR="$out/build" cargo +nightly build --release \
  --manifest-path "$root/fuzz/Cargo.toml" --target "$host" "${targets[@]/#/--bin=}"
echo "fuzz: built in $((SECONDS - start)) s"
[[ $mode == build ]] && exit 0
bin=$out/build/$host/release

count() { find "$@" -type f 2>/dev/null | wc -l; }

if [[ $mode == cmin ]]; then
  for t in "${targets[@]}"; do
    corpus=$root/fuzz/corpus/$t min=$out/min/$t
    rm -rf "$min" && mkdir -p "$min" "$corpus" "$out/new/$t"
    before=$(count "$corpus" "$out/new/$t")
    # shellcheck disable=SC2086
    "$bin/$t" -merge=1 ${opts[$t]} "$min" "$corpus" "$out/new/$t" 2>"$out/$t.cmin.log" \
      || { tail -20 "$out/$t.cmin.log" >&2; exit 1; }
    rm -rf "$corpus" "$out/new/$t" && mv "$min" "$corpus"
    echo "fuzz: $t corpus $before -> $(count "$corpus") files, $(du -sk "$corpus" | cut -f1) KiB"
  done
  exit 0
fi

failed=()
rows=()
for t in "${targets[@]}"; do
  corpus=$root/fuzz/corpus/$t new=$out/new/$t artifacts=$out/artifacts/$t log=$out/$t.log
  mkdir -p "$corpus" "$new" "$artifacts"
  echo "==> fuzz: $t for ${seconds}s"
  start=$SECONDS
  # New finds go to target/fuzz/new (the first folder), never into the repository's corpus;
  # `scripts/fuzz.sh cmin` merges them in.
  # shellcheck disable=SC2086
  if "$bin/$t" -max_total_time="$seconds" -timeout=20 -print_final_stats=1 ${opts[$t]} \
       -artifact_prefix="$artifacts/" "$new" "$corpus" 2>"$log"; then
    status=ok
  else
    status=FAIL
    failed+=("$t")
    grep -E "^(==[0-9]+== ERROR|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)" "$log" | head -20 >&2 || true
    echo "fuzz: $t failed; the log is $log, the input in $artifacts/" >&2
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rows+=("$(printf '%-5s %-18s %5ss %10s execs %6s corpus files' "$status" "$t" "$((SECONDS - start))" "${execs:-?}" "$(count "$corpus" "$new")")")
done

echo
echo "==> fuzz summary"
printf '  %s\n' "${rows[@]}"
[[ ${#failed[@]} -eq 0 ]]
