#!/usr/bin/env bash
# A private second dockerd beside the shared one, for tests that kill the engine (faults).
#   start <name>   start it (or leave it running), load the test image; prints its socket path
#   kill  <name>   SIGKILL dockerd (its containerd and shims stay, as after a crash); start again with start
#   freeze|thaw <name>  SIGSTOP / SIGCONT dockerd: an engine that hangs with its connections open
#   stop  <name>   stop it and remove everything it made: containers, mounts, bridge, directories
# Everything lives in /tmp/berth-e2-<name> (socket d.sock); its bridge is br-<name> (15 chars max)
# on 172.29.<n>.1/24 (BERTH_E2_SUBNET overrides "<n>"). Never --bridge none: that deletes docker0.
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-} name=${2:-}
[[ $cmd =~ ^(start|kill|freeze|thaw|stop)$ && $name =~ ^[a-z0-9]{1,12}$ ]] \
  || { echo "usage: $0 start|kill|freeze|thaw|stop <name: 1-12 of a-z0-9>" >&2; exit 2; }
dir=/tmp/berth-e2-$name bridge=br-$name
sock=$dir/d.sock pidfile=$dir/d.pid log=$dir/dockerd.log
subnet=${BERTH_E2_SUBNET:-$(( $(cksum <<<"$name" | cut -d' ' -f1) % 200 + 20 ))}
image=berth-test/busybox:1

answers() { docker -H "unix://$sock" version >/dev/null 2>&1; }
# A zombie (nobody reaped it yet) counts as dead.
alive() { kill -0 "$1" 2>/dev/null && [[ $(cut -d" " -f3 "/proc/$1/stat" 2>/dev/null) != Z ]]; }
pid_of() { local p; [[ -f $1 ]] && p=$(<"$1") && [[ $p =~ ^[0-9]+$ ]] && alive "$p" && echo "$p"; }
wait_for() { local deadline=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.3; done; }
gone() { ! alive "$1"; }
answers_or_gone() { answers || gone "$1"; }

launch() {
  mkdir -p "$dir"
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "172.29.$subnet.1/24" dev "$bridge"
    ip link set "$bridge" up
  fi
  rm -f "$sock" "$pidfile" # not alive (pid_of said so), maybe a zombie dockerd would take for running
  setsid dockerd --host "unix://$sock" --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$pidfile" \
    -b "$bridge" --iptables=false --ip-masq=false >>"$log" 2>&1 </dev/null &
  echo $!
}

# Stop what a killed dockerd left running: its containerd, by its pid file.
stop_containerd() {
  local pid; pid=$(pid_of "$dir/exec/containerd/containerd.pid" || true)
  [[ -z $pid ]] && return 0
  kill -TERM "$pid"; wait_for 20 gone "$pid" || kill -KILL "$pid"
}

start() {
  local pid attempt
  pid=$(pid_of "$pidfile" || true)
  # After a kill, the new dockerd first reconnects to the containerd the old one left; on a loaded
  # 2-core machine (CI builds in the background) that has taken over 60 s, and once dockerd gave
  # up on it and exited ("timeout waiting for containerd to start"). Then the leftover containerd
  # is stopped and dockerd started once more, with a containerd of its own.
  for attempt in 1 2; do
    [[ -n $pid ]] || pid=$(launch)
    wait_for 120 answers_or_gone "$pid" || true
    answers && break
    if ((attempt == 2)) || alive "$pid"; then
      echo "engine2: dockerd $name did not answer in 120 s; see $log" >&2; tail -n 20 "$log" >&2; exit 1
    fi
    echo "engine2: dockerd $name exited before answering; starting it again without the old containerd" >&2
    stop_containerd
    pid=
  done
  if ! docker -H "unix://$sock" image inspect "$image" >/dev/null 2>&1; then
    docker save "$image" | docker -H "unix://$sock" load >/dev/null
  fi
  echo "$sock"
}

kill_engine() {
  local pid; pid=$(pid_of "$pidfile" || true)
  [[ -n $pid ]] || return 0
  kill -KILL "$pid"
  wait_for 20 gone "$pid"
}

stop() {
  local pid; pid=$(pid_of "$pidfile" || true)
  [[ -z $pid ]] || kill -CONT "$pid" # a frozen engine would hang the calls below
  if answers; then
    local ids; ids=$(docker -H "unix://$sock" ps -aq)
    [[ -z $ids ]] || docker -H "unix://$sock" rm -f -v $ids >/dev/null 2>&1 || true
  fi
  pid=$(pid_of "$pidfile" || true)
  if [[ -n $pid ]]; then kill -TERM "$pid"; wait_for 30 gone "$pid" || kill -KILL "$pid"; fi
  # A killed dockerd leaves its containerd (and shims) behind.
  stop_containerd
  local shim
  for shim in $(pgrep -f "containerd-shim.*-address $dir/" || true); do kill -KILL "$shim" 2>/dev/null || true; done
  # Mounts under our directory, deepest first.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
  ip link del "$bridge" 2>/dev/null || true
  rm -rf "$dir"
}

case $cmd in
  start) start ;;
  kill) kill_engine ;;
  freeze) kill -STOP "$(pid_of "$pidfile")" ;;
  thaw) kill -CONT "$(pid_of "$pidfile")" ;;
  stop) stop ;;
esac
