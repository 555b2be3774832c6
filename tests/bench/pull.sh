#!/usr/bin/env bash
# Berth pull benchmark (part of `make bench`): a 40-layer image pulled from the local test
# registry (scripts/registry.sh) by `docker pull` and by Berth's core (`images::pull`, the
# function the app calls, with its throttled progress) in the same run, the image removed between
# pulls, alternating which goes first. Prints the median of each, their ratio, and the most
# progress updates Berth would have sent the UI in any one second (capped at 25/s per pull).
# Results also go to target/bench/pull.txt.
#
# Env: BERTH_REGISTRY_PORT  the test registry's port (5000)
#      BENCH_PULL_RUNS      pulls per client (5); BENCH_LAYER_KB size of each layer (1024)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
OUT=$REPO/target/bench
RUNS=${BENCH_PULL_RUNS:-5}
LAYERS=40 LAYER_KB=${BENCH_LAYER_KB:-1024}
PORT=${BERTH_REGISTRY_PORT:-5000}
IMAGE=127.0.0.1:$PORT/berth-bench/pull$LAYERS:$LAYER_KB
# The registry's login, read by the docker CLI and by Berth alike (no secret on a command line).
export DOCKER_CONFIG=$REPO/target/registry/docker-config
mkdir -p "$OUT"
cd "$REPO"

say() { printf '==> %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
remove_image() { timeout 120 docker image rm -f "$IMAGE" >/dev/null 2>&1 || true; }
trap remove_image EXIT
trap 'exit 130' INT TERM

for tool in docker cargo python3 timeout flock; do
  command -v "$tool" >/dev/null || die "'$tool' not found (scripts/deps.sh test installs what is missing)"
done
# The lock run.sh takes: one bench at a time on this machine (run.sh holds it when it runs this).
if [[ -z ${BERTH_BENCH_LOCKED:-} ]]; then
  exec 9>"${TMPDIR:-/tmp}/berth-bench.lock"
  flock -w 3600 9 || die "gave up waiting for another bench run"
fi
timeout 20 docker info >/dev/null 2>&1 || die "no Docker engine answers (scripts/engine.sh ensure)"
[[ -f $DOCKER_CONFIG/config.json ]] || die "no test registry login in $DOCKER_CONFIG (scripts/registry.sh start)"

say "building the pull_bench example"
cargo build --release -p berth-core --example pull_bench >"$OUT/build-pull_bench.log" 2>&1 \
  || { tail -n 30 "$OUT/build-pull_bench.log" >&2; die "build failed, see $OUT/build-pull_bench.log"; }

# ---- the image: FROM scratch, one COPY per layer of incompressible bytes -----------------------
# Seeded bytes and kept files: every run pushes the same blobs, so the registry does not grow.
ctx=$OUT/pull-image-$LAYER_KB
if [[ ! -f $ctx/Dockerfile ]]; then
  mkdir -p "$ctx"
  python3 - "$ctx" "$LAYERS" "$LAYER_KB" <<'PY'
import random, sys
ctx, layers, kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = ["FROM scratch"]
for i in range(1, layers + 1):
    with open(f"{ctx}/layer{i:02}", "wb") as f:
        f.write(random.Random(i).randbytes(kb * 1024))
    lines.append(f"COPY layer{i:02} /layer{i:02}")
with open(f"{ctx}/Dockerfile", "w") as f:
    f.write("\n".join(lines) + "\n")
PY
fi
say "building and pushing $IMAGE ($LAYERS layers of $LAYER_KB KiB)"
# The classic builder: BuildKit's frontend image would have to be pulled.
DOCKER_BUILDKIT=0 timeout 600 docker build -q -t "$IMAGE" "$ctx" >"$OUT/pull-build.log" 2>&1 \
  || { tail -n 20 "$OUT/pull-build.log" >&2; die "image build failed"; }
have=$(docker image inspect -f '{{len .RootFS.Layers}}' "$IMAGE")
((have == LAYERS)) || die "the image has $have layers, not $LAYERS"
timeout 600 docker push "$IMAGE" >"$OUT/pull-push.log" 2>&1 || { tail -n 20 "$OUT/pull-push.log" >&2; die "push failed"; }
remove_image

# ---- the pulls -------------------------------------------------------------------------------
now_ms() { date +%s%3N; }
docker_pull() {
  local t0; t0=$(now_ms)
  timeout 600 docker pull "$IMAGE" >/dev/null || die "docker pull failed"
  echo "ms=$(($(now_ms) - t0))"
}
# Both timed from outside, process start included; the example also prints its own pull time.
berth_pull() {
  local t0 out; t0=$(now_ms)
  out=$(timeout 600 "$TARGET/release/examples/pull_bench" "$IMAGE") || die "Berth's pull failed"
  echo "ms=$(($(now_ms) - t0)) ${out/ms=/core_ms=}"
}

say "pulling ($RUNS times each, alternating which goes first; image removed after every pull)"
: >"$OUT/pull-runs.txt"
for i in $(seq "$RUNS"); do
  if ((i % 2)); then order="docker berth"; else order="berth docker"; fi
  for who in $order; do
    line=$("${who}_pull")
    remove_image
    echo "$who $line" | tee -a "$OUT/pull-runs.txt" | sed 's/^/  /'
  done
done

python3 - "$OUT/pull-runs.txt" "$LAYERS" "$LAYER_KB" <<'PY' | tee "$OUT/pull.txt"
import statistics, sys
runs = {"docker": [], "berth": []}
for line in open(sys.argv[1]):
    who, *fields = line.split()
    runs[who].append(dict(f.split("=") for f in fields))
ms = {who: statistics.median(float(r["ms"]) for r in rs) for who, rs in runs.items()}
rate = max(int(r["max_per_s"]) for r in runs["berth"])
updates = statistics.median(int(r["updates"]) for r in runs["berth"])
print(f"\nPull of a {sys.argv[2]}-layer image ({int(sys.argv[2]) * int(sys.argv[3]) // 1024} MiB) from the local registry, median of {len(runs['berth'])}:")
print(f"  docker pull   {ms['docker']:8.0f} ms")
print(f"  berth (core)  {ms['berth']:8.0f} ms   ratio berth/docker {ms['berth'] / ms['docker']:.2f}")
print(f"  progress updates to the UI: {updates:.0f} per pull (median), at most {rate} in any second\n  (cap: one per 40 ms, i.e. 25/s, plus the final one)")
if rate > 26:  # 25 a second (one per 40 ms) plus the final snapshot
    sys.exit(f"bench: the progress cap does not hold ({rate}/s)")
PY
