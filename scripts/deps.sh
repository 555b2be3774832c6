#!/usr/bin/env bash
# Install what `make run` / `make test` need, and only what is missing.
# Usage: scripts/deps.sh run|test
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
case $mode in run|test) ;; *) echo "usage: $0 run|test" >&2; exit 2 ;; esac

# libayatana-appindicator3-1: the tray icon, loaded at run time (the .deb depends on it too).
pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev libxdo-dev librsvg2-dev
      libayatana-appindicator3-dev libayatana-appindicator3-1)
[[ $mode == test ]] && pkgs+=(docker.io busybox-static xvfb xauth webkit2gtk-driver imagemagick
                               docker-registry apache2-utils curl docker-compose
                               xdotool python3-gi gir1.2-gtk-3.0
                               gnome-keyring libsecret-tools dbus dbus-bin libglib2.0-bin golang-docker-credential-helpers openssl
                               debootstrap rsync)  # xdotool + a GTK drag source: real OS drops in e2e; debootstrap: scripts/ci-images.sh; rsync: gitlab-ci-local in make bench
# The installed-app test: gtk-launch, desktop-file-validate, rpm -qpl/-qpR, xprop.
[[ $mode == test ]] && pkgs+=(libgtk-3-bin desktop-file-utils rpm x11-utils)

# Root runs apt directly; anyone else goes through sudo when there is one.
sudo=()
if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null; then sudo=(sudo); fi

missing=()
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  for p in "${pkgs[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
else
  echo "deps: not a Debian/Ubuntu system; make sure these (or your distro's equivalents) are installed:"
  echo "      ${pkgs[*]}"
fi

for tool in cargo npm node; do
  command -v "$tool" >/dev/null || { echo "deps: '$tool' not found on PATH (install Rust via rustup, Node >= 20)" >&2; exit 1; }
done

# npm ci when node_modules is missing or older than the lockfile (the lockfile changed).
npm_deps() {
  local dir=$1
  [[ -f $dir/package.json ]] || return 0
  if [[ -f $dir/package-lock.json ]]; then
    if [[ ! -d $dir/node_modules || $dir/package-lock.json -nt $dir/node_modules ]]; then
      (cd "$dir" && npm ci --no-audit --no-fund) && touch "$dir/node_modules"
    fi
  elif [[ ! -d $dir/node_modules ]]; then
    (cd "$dir" && npm install --no-audit --no-fund)
  fi
}
npm_deps ui
[[ $mode == test ]] && npm_deps tests/e2e

# tauri-driver drives the real window in the e2e tests; keep it inside the clone.
if [[ $mode == test && ! -x .tools/bin/tauri-driver ]]; then
  cargo install tauri-driver --locked --version '^2' --root .tools
fi
exit 0
