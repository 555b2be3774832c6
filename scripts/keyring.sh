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
# A bus of our own that starts no services on demand: the keyring is started below, and a
# desktop portal or accessibility bus activated for the app under test would only add noise.
bus_config=$(mktemp -t berth-keyring-bus.XXXXXX)
trap 'rm -f "$bus_config"' EXIT
cat >"$bus_config" <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
XML
dbus-run-session --config-file="$bus_config" -- bash -c '
  set -euo pipefail
  state=$(mktemp -d -t berth-keyring.XXXXXX)
  trap "rm -rf \"$state\"" EXIT
  mkdir -m 700 "$state/run" "$state/data"
  # A password on stdin creates and unlocks the login collection without a prompt; the
  # daemon serves this bus and ends with it.
  printf berth-test | XDG_RUNTIME_DIR=$state/run XDG_DATA_HOME=$state/data \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export BERTH_TEST_KEYRING=1
  "$@"' keyring "$@"
