#!/usr/bin/env bash
# A local Docker engine for the tests.
#   ensure  use the engine that answers; else start our own dockerd
#   start   start our dockerd (after a stop)      stop  stop only the dockerd we started
#   status  say what answers and whether it is ours
# target/dockerd.pid exists only while a dockerd started by this script runs.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
pidfile=target/dockerd.pid log=target/dockerd.log

sudo=()
if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null; then sudo=(sudo); fi

answers() { docker info >/dev/null 2>&1; }

# The pid of our dockerd, or nothing; drops a pid file whose process is gone or is not dockerd.
our_pid() {
  [[ -f $pidfile ]] || return 0
  local pid; pid=$(<"$pidfile")
  if [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
    echo "$pid"
  else
    rm -f "$pidfile"
  fi
}

wait_for() { # wait_for <seconds> <command...>: poll until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.5; done
}

start() {
  if [[ -n $(our_pid) ]] || answers; then
    wait_for 60 answers || { echo "engine: dockerd did not answer in 60 s, see $log" >&2; exit 1; }
    return
  fi
  command -v dockerd >/dev/null || { echo "engine: dockerd not installed (scripts/deps.sh test)" >&2; exit 1; }
  echo "engine: starting dockerd (log: $log)"
  # setsid: the daemon outlives this shell and the make run that started it.
  "${sudo[@]}" setsid dockerd >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  if ! wait_for 60 answers; then
    echo "engine: dockerd did not answer in 60 s; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  echo "engine: dockerd ready (pid $(<"$pidfile"))"
}

stop() {
  local pid; pid=$(our_pid)
  if [[ -z $pid ]]; then echo "engine: no dockerd started by this script is running"; return; fi
  echo "engine: stopping dockerd (pid $pid)"
  "${sudo[@]}" kill -TERM "$pid"
  # dockerd gives containers their stop timeout (10 s) before it exits.
  if ! wait_for 45 bash -c "! kill -0 $pid 2>/dev/null"; then
    echo "engine: dockerd still up after 45 s, killing it" >&2
    "${sudo[@]}" kill -KILL "$pid" 2>/dev/null || true
    wait_for 10 bash -c "! kill -0 $pid 2>/dev/null" || true
  fi
  rm -f "$pidfile"
}

status() {
  local pid; pid=$(our_pid)
  if answers; then
    local who="not started by this script"; [[ -n $pid ]] && who="ours, pid $pid"
    echo "engine: up ($(docker info --format '{{.ServerVersion}}' 2>/dev/null)), $who"
  else
    echo "engine: down${pid:+ (our dockerd pid $pid is starting or hung)}"
    return 1
  fi
}

case ${1:-} in
  ensure) answers || start ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|ensure" >&2; exit 2 ;;
esac
