#!/usr/bin/env bash
# Berth benchmark (`make bench`): start-up to first list, memory (PSS) idle and in use, idle CPU,
# list latency, sizes and the core's peak memory, printed as ratios to the floor app (a bare
# Tauri 2 window with 200 rows, RECIPES §6) measured in the same run on the same display, each
# with its target and PASS/FAIL (issue 15); then the build-context, compose and pull benches.
# Results also go to target/bench/results.txt.
#
# Env: BERTH_FLOOR_APP  the floor app's sources (default: ../shared/floor-app next to the repo,
#                       or next to the main checkout when this is a git worktree)
#      BENCH_RUNS       timed starts per app (9: a start varies by +-40 ms, the median of 5 by +-0.05 of the ratio); BENCH_LIST_RUNS list calls per client (20)
#      BENCH_USE_MINUTES  how long the in-use figure follows a chatty container's logs (10)
#      BENCH_FOLLOW_SECONDS  how long the core alone follows it for its VmHWM (30)
#      BENCH_DRIVER_PORT  tauri-driver's port for the in-use figure (4470; +1 is its native port)
#      BENCH_BERTH      a Berth binary to measure instead of building target/release/berth
#      BENCH_SKIP       steps to leave out, any of: use build compose pull (their rows say skipped)
#      BUILD_RUNS       timed builds per builder in the build-context bench (3)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$REPO/tests/bench
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
OUT=$REPO/target/bench
FLOOR_SRC=${BERTH_FLOOR_APP:-$REPO/../shared/floor-app}
main_checkout=$(cd "$(git -C "$REPO" rev-parse --git-common-dir 2>/dev/null || echo .)/.." && pwd)
[[ -d $FLOOR_SRC || -n ${BERTH_FLOOR_APP:-} ]] || FLOOR_SRC=$main_checkout/../shared/floor-app
RUNS=${BENCH_RUNS:-9}
LIST_RUNS=${BENCH_LIST_RUNS:-20}
IMAGE=berth-test/busybox:1
LABEL=berth.bench=1
N_CONTAINERS=200 N_RUNNING=20
CHATTY=berth-bench-chatty # 200 lines a second, for the in-use and follow figures
USE_MINUTES=${BENCH_USE_MINUTES:-10}
SKIP=" ${BENCH_SKIP:-} "
skipped() { [[ $SKIP == *" $1 "* ]]; }
export WEBKIT_DISABLE_DMABUF_RENDERER=1 # software rendering under Xvfb; the floor's 206 MB is with it
mkdir -p "$OUT"
# Berth's own settings and history for the bench, never the user's (the last view, say, decides
# what a start shows); kept across the run's starts, fresh for each run.
rm -rf "$OUT/config" "$OUT/data" "$OUT/webkit"
export BERTH_CONFIG_DIR=$OUT/config BERTH_DATA_DIR=$OUT/data
# So are both apps' WebKit profiles: a page's localStorage (the lines a log keeps) and caches.
export XDG_DATA_HOME=$OUT/webkit/data XDG_CACHE_HOME=$OUT/webkit/cache
# Both apps paint a window of the same size: Berth's saved window state (what a returning user
# has) is the floor's window, from its tauri.conf.json (1000x700 when the floor is absent).
mkdir -p "$OUT/config"
python3 - "$FLOOR_SRC/tauri.conf.json" >"$OUT/config/window-state.json" <<'PY'
import json, sys
try:
    w = json.load(open(sys.argv[1]))["app"]["windows"][0]
    size = (int(w["width"]), int(w["height"]))
except (OSError, KeyError, IndexError, ValueError):
    size = (1000, 700)
state = dict(width=size[0], height=size[1], x=0, y=0, prev_x=0, prev_y=0, maximized=False, visible=True,
             decorated=True, fullscreen=False)
print(json.dumps({"main": state}))
PY
cd "$REPO"

say() { printf '==> %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

xvfb_pid='' py_pid='' containers=''
remove_containers() {
  local ids
  ids=$(timeout 60 docker ps -aq --filter "label=${LABEL%=*}") || return 0 # every berth.bench value
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
if [[ -n ${BENCH_BERTH:-} ]]; then
  BERTH_BIN=$(realpath "$BENCH_BERTH")
  [[ -x $BERTH_BIN ]] || die "BENCH_BERTH=$BENCH_BERTH is not an executable"
else
  build "ui" bash -c 'cd ui && npm run build'
  build "berth (release, LTO: several minutes on 2 cores)" cargo build --release -p berth
  BERTH_BIN=$TARGET/release/berth
fi
build "core examples" cargo build --release -p berth-core --example list_latency --example build_context \
  --example compose_stack --example follow_logs

floor_bin=''
if [[ -d $FLOOR_SRC ]]; then
  # Sources are read-only and shared: build a writable copy (tauri-build writes gen/ into it).
  # Same timestamps as the sources, so an unchanged floor app is not rebuilt.
  mkdir -p "$OUT/floor-app"
  cp -r --preserve=timestamps "$FLOOR_SRC/." "$OUT/floor-app/" && chmod -R u+w "$OUT/floor-app"
  # Berth's lock (the same crate versions) and target folder: the dependencies both share are
  # built once, and a fresh machine resolves the floor offline.
  [[ -f $FLOOR_SRC/Cargo.lock ]] || cp -p Cargo.lock "$OUT/floor-app/Cargo.lock"
  # Berth's release profile, so the ratios compare the apps and not the compiler settings.
  opt=$(sed -n '/^\[profile.release\]/,/^\[/s/^opt-level *= *"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' Cargo.toml)
  build "floor app (release, same profile as Berth: opt-level ${opt:-3})" env -C "$OUT/floor-app" \
    CARGO_TARGET_DIR="$TARGET" CARGO_PROFILE_RELEASE_LTO=true \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_OPT_LEVEL="${opt:-3}" \
    CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_PANIC=abort cargo build --release
  floor_bin=$TARGET/release/floorapp
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
made_at=$(date +%s)

# A shared engine can be swamped for a while by other clients; measure once it answers briskly.
engine_ms() { curl -s -o /dev/null -w '%{time_total}' --max-time 10 --unix-socket /var/run/docker.sock \
  http://localhost/version | awk '{t = $1} END {printf "%d", t == "" ? 99999 : t * 1000}'; }
for _ in $(seq 36); do (($(engine_ms) < 500)) && break; echo "  engine slow to answer, waiting"; sleep 5; done
# Start-up is timed on a quiet machine: the containers just made (and a build before the bench)
# keep both cores busy for a while, which slows the apps unequally (Berth's first list waits on
# the engine). Wait, up to 2 minutes, for the CPUs to be 85 % idle over 2 s.
idle_pct() { python3 -c '
import time
def s(): return [int(x) for x in open("/proc/stat").readline().split()[1:]]
a = s(); time.sleep(2); b = s(); d = [y - x for x, y in zip(a, b)]
print(int(100 * (d[3] + d[4]) / max(1, sum(d))))'; }
for _ in $(seq 60); do (($(idle_pct) >= 85)) && break; done

# ---- 3. the apps under one Xvfb --------------------------------------------------------------
rm -f "$OUT/display"
# -displayfd: Xvfb picks a free display itself, so parallel X users never collide; -noreset: the
# server does not reset each time the last client leaves (between two starts), so no start meets one.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$OUT/display" >"$OUT/xvfb.log" 2>&1 9>&- &
xvfb_pid=$!
for _ in $(seq 100); do [[ -s $OUT/display ]] && break; sleep 0.1; done
[[ -s $OUT/display ]] || die "Xvfb did not start, see $OUT/xvfb.log"
disp=:$(head -n1 "$OUT/display")

header="Berth bench $(date -u +%FT%TZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores;\
 WebKitGTK $(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?');\
 engine $(docker version -f '{{.Server.Version}}' 2>/dev/null); loadavg at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$header"
say "start-up ($RUNS timed starts each, after one untimed), then memory after 10 s idle and CPU over 60 s"
: >"$OUT/apps.log"
py apps --display "$disp" --berth "$BERTH_BIN" ${floor_bin:+--floor "$floor_bin"} --runs "$RUNS" \
  --settle-until $((made_at + 130)) --log "$OUT/apps.log" --out "$OUT/apps.json"

# ---- 4. in use: every view, then a chatty container's logs followed ----------------------------
timeout 60 docker rm -f "$CHATTY" >/dev/null 2>&1 || true
timeout 60 docker run -d --name "$CHATTY" --label "${LABEL%=*}=chatty" --network none "$IMAGE" sh -c \
  'i=0; while :; do for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do i=$((i+1));
   echo "line $i: the quick brown fox jumps over the lazy dog, again and again and again"; done; usleep 100000; done' \
  >/dev/null || die "could not start the chatty container $CHATTY"
driver=${TAURI_DRIVER:-$REPO/.tools/bin/tauri-driver}
rm -f "$OUT/use.json"
if skipped use; then
  echo "in use: skipped (BENCH_SKIP)"
elif [[ ! -x $driver ]]; then
  echo "in use: skipped, no tauri-driver at $driver (make test-e2e installs it)"
else
  say "in use: every view and details tab opened, then $CHATTY's logs followed for $USE_MINUTES min (loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
  py use --display "$disp" --berth "$BERTH_BIN" --driver "$driver" --port "${BENCH_DRIVER_PORT:-4470}" \
    --chatty "$CHATTY" --minutes "$USE_MINUTES" --log "$OUT/apps.log" --out "$OUT/use.json"
fi
kill -TERM "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true; xvfb_pid=''

# ---- 5. list latency -------------------------------------------------------------------------
say "list latency ($LIST_RUNS calls each, median)"
py list --runs "$LIST_RUNS" --out "$OUT/list.json"
timeout 120 "$TARGET/release/examples/list_latency" "$LIST_RUNS" >"$OUT/core.txt"
echo "  berth     $(cat "$OUT/core.txt")"

# ---- 6. the core alone following the chatty log: its peak memory -----------------------------
say "core following $CHATTY's logs for ${BENCH_FOLLOW_SECONDS:-30} s (VmHWM)"
timeout 300 "$TARGET/release/examples/follow_logs" "$CHATTY" "${BENCH_FOLLOW_SECONDS:-30}" >"$OUT/follow.txt"
echo "  $(cat "$OUT/follow.txt")"
timeout 60 docker rm -f "$CHATTY" >/dev/null 2>&1 || true

# ---- 7. build context -------------------------------------------------------------------------
# 500 MB in 20,000 files, half left out by .dockerignore; generated once under target/ (not git).
rm -f "$OUT/build.txt" "$OUT/compose.txt" "$OUT/pull-runs.txt"
if skipped build; then
  echo "build context: skipped (BENCH_SKIP)"
else
  say "build context: Berth (BuildKit, classic) vs docker build, same folder, alternating (${BUILD_RUNS:-3} runs, median)"
  timeout 1800 "$TARGET/release/examples/build_context" "$OUT/build-context" "${BUILD_RUNS:-3}" >"$OUT/build.txt"
  sed 's/^/  /' "$OUT/build.txt"
fi

# ---- 8. compose -------------------------------------------------------------------------------
# Needs the reference CLI (scripts/deps.sh test installs docker-compose); medians of BENCH_COMPOSE_RUNS.
if skipped compose; then
  echo "compose: skipped (BENCH_SKIP)"
elif command -v docker-compose >/dev/null; then
  say "compose: a 20-service stack up (to all running) and down, Berth's core vs docker-compose"
  timeout 900 "$TARGET/release/examples/compose_stack" "${BENCH_COMPOSE_RUNS:-3}" 20 | tee "$OUT/compose.txt" | sed 's/^/  /'
else
  echo "compose: skipped, docker-compose is not installed (scripts/deps.sh test installs it)"
fi

# ---- 9. pull (tests/bench/pull.sh, under this run's lock) ---------------------------------------
if skipped pull; then
  echo "pull: skipped (BENCH_SKIP)"
else
  BERTH_BENCH_LOCKED=1 tests/bench/pull.sh 9>&-
fi

# ---- 10. table -------------------------------------------------------------------------------
echo
deb=$(ls -t "$TARGET"/release/bundle/deb/*.deb "$TARGET"/dist/release/bundle/deb/*.deb 2>/dev/null | head -n1 || true)
py report --apps "$OUT/apps.json" --use "$OUT/use.json" --list "$OUT/list.json" --core "$OUT/core.txt" \
  --follow "$OUT/follow.txt" --build "$OUT/build.txt" --pull "$OUT/pull-runs.txt" --binary "$BERTH_BIN" \
  ${floor_bin:+--floor-binary "$floor_bin"} ${deb:+--deb "$deb"} --runs "$LIST_RUNS" \
  --header "$header" --out "$OUT/results.txt"
[[ -s $OUT/build.txt ]] && {
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
