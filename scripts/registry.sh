#!/usr/bin/env bash
# A real private registry for the tests: Debian's docker-registry with htpasswd login on
# 127.0.0.1:$BERTH_REGISTRY_PORT (default 5000), data under target/registry.
#   start   start it (does nothing when ours already runs); writes target/registry/docker-config
#           (a DOCKER_CONFIG dir whose config.json holds the test login for 127.0.0.1:$port, and a
#           wrong password for localhost:$port, the same registry under another name)
#   stop    stop the registry this script started
set -euo pipefail
cd "$(dirname "$0")/.."
port=${BERTH_REGISTRY_PORT:-5000}
dir=$PWD/target/registry pidfile=$PWD/target/registry/registry.pid
user=berth password=berth-test-secret

ours() { [[ -f $pidfile ]] && kill -0 "$(<"$pidfile")" 2>/dev/null; }
answers() { [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/") == 401 ]]; }

case ${1:-} in
  start)
    if ours && answers; then exit 0; fi
    command -v docker-registry >/dev/null && command -v htpasswd >/dev/null \
      || { echo "registry: install docker-registry apache2-utils (scripts/deps.sh test)" >&2; exit 1; }
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "registry: 127.0.0.1:$port is taken by another program; set BERTH_REGISTRY_PORT" >&2; exit 1
    fi
    mkdir -p "$dir/data" "$dir/docker-config"
    htpasswd -Bbc "$dir/htpasswd" "$user" "$password" 2>/dev/null
    cat >"$dir/config.yml" <<YAML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $dir/data }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port }
auth: { htpasswd: { realm: berth-test, path: $dir/htpasswd } }
YAML
    auth=$(printf '%s:%s' "$user" "$password" | base64 -w0)
    wrong=$(printf '%s:%s' "$user" "not-the-password" | base64 -w0)
    printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"},"http://localhost:%s/v2/":{"auth":"%s"}}}\n' \
      "$port" "$auth" "$port" "$wrong" >"$dir/docker-config/config.json"
    docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 50); do answers && { echo "registry: up on 127.0.0.1:$port"; exit 0; }; sleep 0.2; done
    echo "registry: did not answer; see $dir/registry.log" >&2; exit 1 ;;
  stop)
    if ours; then kill "$(<"$pidfile")"; fi
    rm -f "$pidfile" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
