#!/usr/bin/env bash
# Run a command beside a real OS keychain: GNOME Keyring's Secret Service, unlocked, on a
# private D-Bus session bus and with its files in a throwaway folder, so tests use a real
# keychain without touching the user's own (or another run's).
#   scripts/keyring.sh <command> [args...]
# Inside, BERTH_TEST_KEYRING=1 is set; a nested call just runs the command.
set -euo pipefail
(($#)) || { echo "usage: $0 <command> [args...]" >&2; exit 2; }
[[ ${BERTH_TEST_KEYRING:-} == 1 ]] && exec "$@"
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null \
    || { echo "keyring: $tool is missing; install dbus gnome-keyring (scripts/deps.sh test)" >&2; exit 1; }
done
exec dbus-run-session -- bash -c '
  set -euo pipefail
  state=$(mktemp -d -t berth-keyring.XXXXXX)
  trap "kill \${GNOME_KEYRING_PID:-} 2>/dev/null || true; rm -rf \"$state\"" EXIT
  mkdir -m 700 "$state/run" "$state/data"
  # A password on stdin creates and unlocks the login collection without a prompt.
  eval "$(printf berth-test | XDG_RUNTIME_DIR=$state/run XDG_DATA_HOME=$state/data \
          gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_PID BERTH_TEST_KEYRING=1
  "$@"' keyring "$@"
