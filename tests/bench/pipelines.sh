#!/usr/bin/env bash
# Pipelines benchmark (part of `make bench`): the same GitLab CI pipeline run by Berth's core
# (the functions the app calls) and by gitlab-ci-local, the peer, on the same engine in one run,
# with the engine's floor for that pipeline (bare Engine API calls: see
# crates/core/examples/pipeline_bench.rs). Prints the medians, the ratio and the issue's targets
# with PASS/FAIL. Then both tools run a second pipeline whose jobs print the variables they see,
# and the jobs' outcomes and variables are compared (tests/bench/pipelines.py).
# Results also go to target/bench/pipelines.txt.
#
# Env: BENCH_PIPELINE_RUNS  runs per tool (5: the engine's times vary by a fifth from run to run); BENCH_PIPELINE_CONCURRENCY  jobs at once (3, the
#      widest stage, for all three); GITLAB_CI_LOCAL_VERSION  the peer's npm version (4.65.0:
#      the last one that runs on Node 20); BENCH_PIPELINE_PROFILE  cargo profile of Berth's side
#      (release, what ships; dev gives a quicker build with slower code).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$REPO/tests/bench
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
OUT=$REPO/target/bench
RUNS=${BENCH_PIPELINE_RUNS:-5}
CONCURRENCY=${BENCH_PIPELINE_CONCURRENCY:-3}
PEER_VERSION=${GITLAB_CI_LOCAL_VERSION:-4.65.0}
PROFILE=${BENCH_PIPELINE_PROFILE:-release}
PEER_DIR=$REPO/.tools/gitlab-ci-local
PEER=$PEER_DIR/node_modules/gitlab-ci-local/src/index.js
JOB_IMAGE=berth-test/debian:bookworm
mkdir -p "$OUT"
cd "$REPO"

say() { printf '==> %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# What the peer leaves behind when it is interrupted: its containers and networks are named gcl-*.
# Berth's runs clean up after themselves; the floor's leftovers are named berth-bench-floor-*.
cleanup() {
  local ids
  ids=$(timeout 60 docker ps -aq --filter name=berth-bench-floor- 2>/dev/null) || true
  [[ -z $ids ]] || timeout 120 docker rm -f $ids >/dev/null 2>&1 || true
  ids=$(timeout 60 docker network ls -q --filter name=berth-bench-floor- 2>/dev/null) || true
  [[ -z $ids ]] || timeout 60 docker network rm $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in docker cargo node npm rsync git python3 timeout flock; do
  command -v "$tool" >/dev/null || die "'$tool' not found (scripts/deps.sh test installs what is missing)"
done
# The lock run.sh takes: one bench at a time on this machine.
exec 9>"${TMPDIR:-/tmp}/berth-bench.lock"
flock -w 3600 9 || die "gave up waiting for another bench run"
timeout 20 docker info >/dev/null 2>&1 || die "no Docker engine answers (scripts/engine.sh ensure)"
docker image inspect berth-test/busybox:1 >/dev/null 2>&1 || scripts/test-image.sh
docker image inspect "$JOB_IMAGE" >/dev/null 2>&1 || scripts/ci-images.sh debian

# The peer, installed into the clone (never globally), at a pinned version.
if [[ $(node -p "require('$PEER_DIR/node_modules/gitlab-ci-local/package.json').version" 2>/dev/null) != "$PEER_VERSION" ]]; then
  say "installing gitlab-ci-local $PEER_VERSION into .tools/gitlab-ci-local"
  npm install --prefix "$PEER_DIR" --no-audit --no-fund --loglevel=error "gitlab-ci-local@$PEER_VERSION" >/dev/null
fi

say "building the pipeline_bench example ($PROFILE profile)"
cargo build --profile "$PROFILE" -p berth-core --example pipeline_bench >"$OUT/build-pipeline_bench.log" 2>&1 \
  || { tail -n 30 "$OUT/build-pipeline_bench.log" >&2; die "build failed, see $OUT/build-pipeline_bench.log"; }
BERTH=$TARGET/$([[ $PROFILE == dev ]] && echo debug || echo "$PROFILE")/examples/pipeline_bench

# A fresh git repository per sample (both tools copy only tracked files), with a GitLab origin.
project() { # project <name>: prints its folder
  local dir=$OUT/pipelines/$1
  rm -rf "$dir" && mkdir -p "$dir" && cp -r "$BENCH/pipelines/$1/." "$dir/"
  printf 'A sample project for the pipelines bench.\n' >"$dir/README.md"
  git -C "$dir" init -q -b main
  git -C "$dir" add -A
  git -C "$dir" -c user.name=Bench -c user.email=bench@example.com commit -qm "Bench sample"
  git -C "$dir" remote add origin "https://gitlab.example.com/group/$1.git"
  echo "$dir"
}

# The peer, offline: local images (its pull policy is if-not-present), our Debian image as the
# helper it copies files with (its default comes from Docker Hub). Prints its seconds.
peer() { # peer <dir> <output file> [--variable NAME=value…]
  local dir=$1 log=$2; shift 2
  rm -rf "$dir/.gitlab-ci-local"
  local start=$EPOCHREALTIME
  # It takes --cwd relative to where it runs only.
  (cd "$(dirname "$dir")" && timeout 900 node "$PEER" --cwd "$(basename "$dir")" --helper-image "$JOB_IMAGE" \
    --concurrency "$CONCURRENCY" --no-color --max-job-name-padding 0 "$@" >"$log" 2>&1) || true
  python3 -c "print(f'{$EPOCHREALTIME - $start:.3f}')"
}

header="Pipelines bench $(date -u +%FT%TZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'); Berth built $PROFILE; $(nproc) cores;\
 engine $(docker version -f '{{.Server.Version}}' 2>/dev/null); gitlab-ci-local $PEER_VERSION on node $(node --version);\
 loadavg at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$header"

bench=$(project bench)
say "the bench pipeline (6 jobs, 2 stages, a service, artifacts): floor, Berth, gitlab-ci-local, $RUNS runs each, alternating order"
: >"$OUT/pipelines-times.txt"
for run in $(seq "$RUNS"); do
  # Alternate who goes first so neither always gets the warmer engine.
  order=(floor berth peer); ((run % 2)) || order=(peer berth floor)
  for who in "${order[@]}"; do
    case $who in
      floor) s=$(timeout 900 "$BERTH" floor "$bench" "$CONCURRENCY") ;;
      berth) timeout 900 "$BERTH" berth "$bench" "$CONCURRENCY" >"$OUT/pipelines-berth-bench.json"
             s=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['wall']:.3f}\")" "$OUT/pipelines-berth-bench.json") ;;
      peer)  s=$(peer "$bench" "$OUT/pipelines-peer-bench.log") ;;
    esac
    echo "$who $s" >>"$OUT/pipelines-times.txt"
    printf '  run %d %-6s %6.2f s\n' "$run" "$who" "$s"
  done
done

say "the same pipeline with empty artifacts (SIZE_MB=0): floor and Berth, $RUNS runs each, what file copies cost apart"
for run in $(seq "$RUNS"); do
  s=$(timeout 900 "$BERTH" floor "$bench" "$CONCURRENCY" SIZE_MB=0); echo "floor0 $s" >>"$OUT/pipelines-times.txt"
  printf '  run %d %-6s %6.2f s\n' "$run" floor "$s"
  timeout 900 "$BERTH" berth "$bench" "$CONCURRENCY" SIZE_MB=0 >"$OUT/pipelines-berth-empty.json"
  s=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['wall']:.3f}\")" "$OUT/pipelines-berth-empty.json")
  echo "berth0 $s" >>"$OUT/pipelines-times.txt"
  printf '  run %d %-6s %6.2f s\n' "$run" berth "$s"
done

agree=$(project agree)
say "agreement: the same pipeline's outcomes and variables, Berth vs gitlab-ci-local"
timeout 900 "$BERTH" berth "$agree" "$CONCURRENCY" RUN_WINS=from-run >"$OUT/pipelines-berth-agree.json"
peer "$agree" "$OUT/pipelines-peer-agree.log" --variable RUN_WINS=from-run >/dev/null

echo
python3 "$BENCH/pipelines.py" --header "$header" --times "$OUT/pipelines-times.txt" \
  --berth-bench "$OUT/pipelines-berth-bench.json" --peer-bench "$OUT/pipelines-peer-bench.log" \
  --berth-agree "$OUT/pipelines-berth-agree.json" --peer-agree "$OUT/pipelines-peer-agree.log" \
  | tee "$OUT/pipelines.txt"
echo "(written to $OUT/pipelines.txt)"
