#!/usr/bin/env bash
# Berth benchmark (`make bench`): start-up to first list, memory (PSS), idle CPU and list
# latency, printed as ratios to the floor app (a bare Tauri 2 window with 200 rows, RECIPES §6)
# measured in the same run on the same display. Results also go to target/bench/results.txt.
#
# Env: BERTH_FLOOR_APP  the floor app's sources (default: ../shared/floor-app next to the repo)
#      BENCH_RUNS       timed starts per app (5); BENCH_LIST_RUNS list calls per client (20)
#      BUILD_RUNS       timed builds per builder in the build-context bench (3)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$REPO/tests/bench
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
OUT=$REPO/target/bench
FLOOR_SRC=${BERTH_FLOOR_APP:-$REPO/../shared/floor-app}
RUNS=${BENCH_RUNS:-5}
LIST_RUNS=${BENCH_LIST_RUNS:-20}
IMAGE=berth-test/busybox:1
LABEL=berth.bench=1
N_CONTAINERS=200 N_RUNNING=20
export WEBKIT_DISABLE_DMABUF_RENDERER=1 # software rendering under Xvfb; the floor's 206 MB is with it
mkdir -p "$OUT"
cd "$REPO"

say() { printf '==> %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

xvfb_pid='' py_pid='' containers=''
remove_containers() {
  local ids
  ids=$(timeout 60 docker ps -aq --filter "label=$LABEL") || return 0
  [[ -z $ids ]] || timeout 120 docker rm -f $ids >/dev/null || true
}
cleanup() {
  # python stops the apps it started on TERM; Xvfb going away also ends any straggler's GTK loop.
  if [[ -n $py_pid ]] && kill -0 "$py_pid" 2>/dev/null; then
    kill -TERM "$py_pid" 2>/dev/null || true
    timeout 15 tail --pid="$py_pid" -f /dev/null || kill -KILL "$py_pid" 2>/dev/null || true
  fi
  if [[ -n $xvfb_pid ]]; then kill -TERM "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
  # Only containers this run made: before the lock they may be another run's.
  if [[ -n $containers ]]; then say "removing the bench containers"; remove_containers; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run a python step in the background and wait for it, so INT/TERM reach the trap at once.
py() { python3 "$BENCH/bench.py" "$@" 9>&- & py_pid=$!; wait "$py_pid"; py_pid=""; }

build() { # build <what> <command...>: quiet unless it fails
  say "building $1"
  local log="$OUT/build-${1%% *}.log"; shift
  "$@" >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "build failed, see $log"; }
}

for tool in docker cargo npm python3 Xvfb curl timeout flock; do
  command -v "$tool" >/dev/null || die "'$tool' not found (scripts/deps.sh test installs what is missing)"
done
# One bench at a time on this machine, whichever clone it runs from: two would share the labelled
# containers (one's cleanup removing the other's) and measure each other's load.
exec 9>"${TMPDIR:-/tmp}/berth-bench.lock"
if ! flock -n 9; then
  say "another bench run holds ${TMPDIR:-/tmp}/berth-bench.lock; waiting for it (up to 1 h)"
  flock -w 3600 9 || die "gave up waiting for the other bench run"
fi
timeout 20 docker info >/dev/null 2>&1 || die "no Docker engine answers (scripts/engine.sh ensure)"
docker image inspect "$IMAGE" >/dev/null 2>&1 || scripts/test-image.sh

# ---- 1. builds -------------------------------------------------------------------------------
build "ui" bash -c 'cd ui && npm run build'
build "berth (release, LTO: several minutes on 2 cores)" cargo build --release -p berth
build "core examples" cargo build --release -p berth-core --example list_latency --example build_context --example compose_stack
BERTH_BIN=$TARGET/release/berth

floor_bin=''
if [[ -d $FLOOR_SRC ]]; then
  # Sources are read-only and shared: build a writable copy (tauri-build writes gen/ into it).
  # Same timestamps as the sources, so an unchanged floor app is not rebuilt.
  mkdir -p "$OUT/floor-app"
  cp -r --preserve=timestamps "$FLOOR_SRC/." "$OUT/floor-app/" && chmod -R u+w "$OUT/floor-app"
  # Berth's release profile, so the ratios compare the apps and not the compiler settings.
  build "floor app (release, same profile as Berth)" env -C "$OUT/floor-app" \
    CARGO_TARGET_DIR="$OUT/floor-target" CARGO_PROFILE_RELEASE_LTO=true \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
    CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_PANIC=abort cargo build --release
  floor_bin=$OUT/floor-target/release/floorapp
else
  echo "floor: $FLOOR_SRC is absent; printing absolute figures only"
fi

# ---- 2. containers ---------------------------------------------------------------------------
# Created only now and removed by the trap: 200 extra containers make every client's list slower,
# including other test runs sharing this engine.
ensure_containers() { # create the missing berth-bench-NNN; true when all exist
  local have i base
  have=$(timeout 60 docker ps -a --filter "label=$LABEL" --format '{{.Names}}') || return 1
  for i in $(seq -w 1 "$N_CONTAINERS"); do
    grep -qx "berth-bench-$i" <<<"$have" && continue
    base="--name berth-bench-$i --label $LABEL --network none $IMAGE" # no veth/iptables churn
    if ((10#$i <= N_RUNNING)); then echo "run -d $base sleep 1000000"
    elif ((10#$i % 2)); then echo "create $base true" # created, never started
    else echo "run -d $base true"                     # exits at once: exited (0)
    fi
  done | timeout 300 xargs -P 8 -L 1 docker >/dev/null 2>>"$OUT/containers.log" || true
  (($(timeout 60 docker ps -aq --filter "label=$LABEL" | wc -l) == N_CONTAINERS))
}
say "creating $N_CONTAINERS containers labelled $LABEL ($N_RUNNING running)"
: >"$OUT/containers.log"
containers=1
ensure_containers || ensure_containers || die "could not create $N_CONTAINERS containers, see $OUT/containers.log"

# A shared engine can be swamped for a while by other clients; measure once it answers briskly.
engine_ms() { curl -s -o /dev/null -w '%{time_total}' --max-time 10 --unix-socket /var/run/docker.sock \
  http://localhost/version | awk '{t = $1} END {printf "%d", t == "" ? 99999 : t * 1000}'; }
for _ in $(seq 36); do (($(engine_ms) < 500)) && break; echo "  engine slow to answer, waiting"; sleep 5; done

# ---- 3. the apps under one Xvfb --------------------------------------------------------------
rm -f "$OUT/display"
# -displayfd: Xvfb picks a free display itself, so parallel X users never collide.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$OUT/display" >"$OUT/xvfb.log" 2>&1 9>&- &
xvfb_pid=$!
for _ in $(seq 100); do [[ -s $OUT/display ]] && break; sleep 0.1; done
[[ -s $OUT/display ]] || die "Xvfb did not start, see $OUT/xvfb.log"
disp=:$(head -n1 "$OUT/display")

header="Berth bench $(date -u +%FT%TZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores;\
 WebKitGTK $(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?');\
 engine $(docker version -f '{{.Server.Version}}' 2>/dev/null); loadavg at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$header"
say "start-up ($RUNS timed starts each, after one untimed), then memory after 10 s idle and CPU over 30 s"
: >"$OUT/apps.log"
py apps --display "$disp" --berth "$BERTH_BIN" ${floor_bin:+--floor "$floor_bin"} --runs "$RUNS" \
  --log "$OUT/apps.log" --out "$OUT/apps.json"
kill -TERM "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true; xvfb_pid=''

# ---- 4. list latency -------------------------------------------------------------------------
say "list latency ($LIST_RUNS calls each, median)"
py list --runs "$LIST_RUNS" --out "$OUT/list.json"
timeout 120 "$TARGET/release/examples/list_latency" "$LIST_RUNS" >"$OUT/core.txt"
echo "  berth     $(cat "$OUT/core.txt")"

# ---- 5. build context -------------------------------------------------------------------------
# 500 MB in 20,000 files, half left out by .dockerignore; generated once under target/ (not git).
say "build context: Berth (BuildKit, classic) vs docker build, same folder, alternating (${BUILD_RUNS:-3} runs, median)"
timeout 1800 "$TARGET/release/examples/build_context" "$OUT/build-context" "${BUILD_RUNS:-3}" >"$OUT/build.txt"
cat "$OUT/build.txt" | sed 's/^/  /'

# ---- 6. compose -------------------------------------------------------------------------------
# Needs the reference CLI (scripts/deps.sh test installs docker-compose); medians of BENCH_COMPOSE_RUNS.
if command -v docker-compose >/dev/null; then
  say "compose: a 20-service stack up (to all running) and down, Berth's core vs docker-compose"
  timeout 900 "$TARGET/release/examples/compose_stack" "${BENCH_COMPOSE_RUNS:-3}" 20 | tee "$OUT/compose.txt" | sed 's/^/  /'
else
  echo "compose: skipped, docker-compose is not installed (scripts/deps.sh test installs it)"
fi

# ---- 7. table --------------------------------------------------------------------------------
echo
py report --apps "$OUT/apps.json" --list "$OUT/list.json" --core "$OUT/core.txt" --runs "$LIST_RUNS" \
  --header "$header" --out "$OUT/results.txt"
{
  echo
  echo "build context (500 MB, 20,000 files, half left out by .dockerignore; trivial Dockerfile):"
  sed 's/^/  /' "$OUT/build.txt"
  echo "  ratio = Berth / docker build (the docker CLI here has no buildx, so it builds classic); peak_mb = VmHWM"
  echo "  of the process running Berth's build (context walk, tar and upload), not the whole app window."
} | tee -a "$OUT/results.txt"
[[ -s $OUT/compose.txt ]] && {
  echo; echo "compose (seconds, median; ratio = Berth / docker-compose):"; cat "$OUT/compose.txt"
  echo "  floor = the same network, volumes and containers made by bare Engine API calls, all at once:"
  echo "  the engine's own time, which no client can go under; best_possible_ratio = floor / docker-compose."
} | tee -a "$OUT/results.txt"
echo "(written to $OUT/results.txt)"
