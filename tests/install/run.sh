#!/usr/bin/env bash
# The installed-app test. Takes the release bundles `make dist` built, checks the .rpm's contents,
# installs the .deb with dpkg and checks what it put where, then launches the INSTALLED app as a
# desktop session does: from its .desktop entry (gtk-launch), with only DISPLAY, HOME,
# XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS and PATH=/usr/bin:/bin, in cwd /, with a private HOME.
# Then tests/e2e/install/ drives it the same way through tauri-driver: its container list, and a
# registry login through a credential helper that lives only in /usr/local/bin. Last, the package
# is purged and nothing of it may remain but the user's data. Whatever fails, the package, the
# helper and the app are removed again.
# Needs root (or sudo), an X display and a session bus with a Secret Service: `make test-install`
# runs it under scripts/keyring.sh and xvfb-run, after the engine and registry are up.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
target=${CARGO_TARGET_DIR:-$repo/target}
out=$repo/tests/e2e/artifacts
mkdir -p "$out"

fail() { echo "install test: $*" >&2; exit 1; }
step() { echo "--- $*"; }
sudo=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || fail "needs root, or sudo, to install the package"
  sudo=(sudo)
fi
for tool in dpkg-deb dpkg-shlibdeps objdump rpm gtk-launch desktop-file-validate xdotool xprop import docker node; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps.sh test installs it)"
done
[[ -n ${DISPLAY:-} && -n ${DBUS_SESSION_BUS_ADDRESS:-} ]] \
  || fail "needs an X display and a session bus: run it through make test-install"

version=$(node -p 'require("./src-tauri/tauri.conf.json").version')
deb=$target/release/bundle/deb/Berth_${version}_$(dpkg --print-architecture).deb
rpm_file=$target/release/bundle/rpm/Berth-${version}-1.$(uname -m).rpm
for f in "$deb" "$rpm_file"; do [[ -f $f ]] || fail "$f is missing: make dist builds it"; done

size() { stat -c %s "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MiB (%.2f MB)", b / 1048576, b / 1000000 }'; }
step "bundles: .deb $(mb "$(size "$deb")"), .rpm $(mb "$(size "$rpm_file")"), binary $(mb "$(size "$target/release/berth")")"
(($(size "$deb") < 6 * 1048576)) || fail ".deb is $(mb "$(size "$deb")"); the budget is 6 MiB"

# What the binary links against: each library (soname) it needs, and the Debian packages that
# hold them, found as dpkg-shlibdeps finds them (it wants a debian/control to run beside).
mapfile -t needed < <(objdump -p "$target/release/berth" | awk '$1 == "NEEDED" { print $2 }' | sort)
((${#needed[@]})) || fail "no NEEDED libraries read from $target/release/berth"
shlib_dir=$(mktemp -d)
mkdir "$shlib_dir/debian" && touch "$shlib_dir/debian/control"
shlibdeps=$(cd "$shlib_dir" && dpkg-shlibdeps -O "$target/release/berth" 2>/dev/null)
rm -rf "$shlib_dir"
names() { tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/^ *//; s/ *$//' | grep -v '^$' | sort -u; }
want=$(sed 's/^shlibs:Depends=//' <<<"$shlibdeps" | names)

step "rpm: files and requirements (rpm -qpl / -qpR; installing it needs an RPM system)"
rpm_files=$(rpm -qpl "$rpm_file" 2>/dev/null)
for f in /usr/bin/berth /usr/share/applications/Berth.desktop /usr/share/icons/hicolor/128x128/apps/berth.png; do
  grep -qx "$f" <<<"$rpm_files" || fail ".rpm lacks $f"
done
rpm_requires=$(rpm -qpR "$rpm_file" 2>/dev/null)
for so in "${needed[@]}"; do
  [[ $so == ld-linux* ]] && continue # the dynamic loader comes with libc
  grep -qx "$so()(64bit)" <<<"$rpm_requires" || fail ".rpm does not require $so()(64bit), which the binary needs (bundle.linux.rpm.depends)"
done

step "deb: metadata and dependencies"
for field in Package Version Maintainer Homepage Section Description; do
  [[ -n $(dpkg-deb -f "$deb" "$field") ]] || fail ".deb has no $field"
done
declared=$(dpkg-deb -f "$deb" Depends | names)
! grep -- '-dev$' <<<"$declared" || fail ".deb depends on -dev packages"
# Names without versions, so a package built on one Debian/Ubuntu release installs on the next
# (t64 renames provide the old names); libraries loaded with dlopen (the tray's) are no NEEDED.
missing=$(comm -23 <(echo "$want") <(echo "$declared"))
extra=$(comm -13 <(echo "$want") <(echo "$declared") | grep -vxE 'lib(ayatana-)?appindicator3-1' || true)
[[ -z $missing ]] || fail ".deb lacks dependencies dpkg-shlibdeps finds: $(echo $missing) (bundle.linux.deb.depends)"
[[ -z $extra ]] || fail ".deb depends on packages the binary does not need: $(echo $extra)"

dpkg-query -W -f='${Status}' berth 2>/dev/null | grep -q 'ok installed' \
  && fail "a berth package is already installed here; this test would replace it and then remove it"
helper=/usr/local/bin/docker-credential-berth-test
[[ ! -e $helper ]] || fail "$helper exists already"

home=$(mktemp -d -t berth-install-home.XXXXXX)
runtime=$home/.run
stamp=$(mktemp) # files newer than this one are the package's or the test's
app_pid='' installed=''
cleanup() {
  local status=$?
  if [[ -n $app_pid ]]; then kill "$app_pid" 2>/dev/null || true; fi
  if [[ -n $installed ]]; then "${sudo[@]}" dpkg --purge berth >/dev/null || status=1; fi
  "${sudo[@]}" rm -f "$helper"
  rm -rf "$home" "$stamp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

step "dpkg -i"
"${sudo[@]}" dpkg -i "$deb" >/dev/null
installed=1
listed=$(dpkg -L berth)
for f in /usr/bin/berth /usr/share/applications/Berth.desktop \
         /usr/share/icons/hicolor/{32x32,64x64,128x128,256x256@2,512x512}/apps/berth.png; do
  grep -qx "$f" <<<"$listed" || fail "dpkg -L berth lacks $f"
done
! ldd /usr/bin/berth | grep 'not found' || fail "the installed binary misses libraries"

desktop=/usr/share/applications/Berth.desktop
desktop-file-validate "$desktop" || fail "$desktop is not a valid desktop entry"
entry() { sed -n "s/^$1=//p" "$desktop"; }
[[ $(entry Categories) == 'Development;' ]] || fail "Categories=$(entry Categories)"
[[ $(entry Exec) == 'berth %F' ]] || fail "Exec=$(entry Exec)"

step "launch from the .desktop entry: gtk-launch Berth, env -i, cwd /"
mkdir -m 700 "$runtime"
# The X server's cookie where a display manager leaves it for the session (xvfb-run's own file
# is named by XAUTHORITY, which a desktop launch does not pass on).
if [[ -n ${XAUTHORITY:-} ]]; then install -m 600 "$XAUTHORITY" "$home/.Xauthority"; fi
mkdir -p "$home/.docker"
echo '{"credsStore": "berth-test"}' >"$home/.docker/config.json"
"${sudo[@]}" install -m 755 tests/install/docker-credential-berth-test "$helper"
desktop_env=(DISPLAY="$DISPLAY" HOME="$home" XDG_RUNTIME_DIR="$runtime"
             DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" PATH=/usr/bin:/bin)
log=$out/installed-gtk-launch.log # gtk-launch's output, and the app's stderr, which it inherits
(cd / && env -i "${desktop_env[@]}" gtk-launch Berth) >"$log" 2>&1 || fail "gtk-launch Berth failed: $(cat "$log")"
for _ in $(seq 60); do
  wid=$(xdotool search --onlyvisible --classname '^berth$' 2>/dev/null | head -1) && [[ -n $wid ]] && break
  sleep 0.5
done
[[ -n ${wid:-} ]] || fail "no window with WM_CLASS berth appeared: $(cat "$log")"
app_pid=$(xdotool getwindowpid "$wid")
[[ $(readlink "/proc/$app_pid/exe") == /usr/bin/berth ]] || fail "the window belongs to $(readlink "/proc/$app_pid/exe")"
[[ $(readlink "/proc/$app_pid/cwd") == / ]] || fail "the app runs in $(readlink "/proc/$app_pid/cwd"), not /"
wm_class=$(xprop -id "$wid" WM_CLASS | sed -E 's/.*= "([^"]*)".*/\1/')
[[ $(entry StartupWMClass) == "$wm_class" ]] || fail "StartupWMClass=$(entry StartupWMClass) but the window's WM_CLASS is $wm_class"
# The app's environment: the session's five variables, plus what a launcher adds itself.
extra_env=$(tr '\0' '\n' <"/proc/$app_pid/environ" | cut -d= -f1 \
  | grep -vxE 'DISPLAY|HOME|XDG_RUNTIME_DIR|DBUS_SESSION_BUS_ADDRESS|PATH|GIO_LAUNCHED_DESKTOP_FILE(_PID)?|DESKTOP_STARTUP_ID|XDG_ACTIVATION_TOKEN' || true)
[[ -z $extra_env ]] || fail "the app got more environment than a desktop gives: $(echo $extra_env)"
# With no terminal, the log goes to the platform's log folder (XDG_STATE_HOME is unset).
app_log() { cat "$home"/.local/state/berth/logs/berth*.log 2>/dev/null; }
for _ in $(seq 60); do app_log | grep -q 'connected to engine' && break; sleep 0.5; done
app_log | grep -q 'connected to engine' \
  || fail "no 'connected to engine' in ~/.local/state/berth/logs: $(app_log | tail -3) $(tail -3 "$log")"
# Painted, not blank (WebKitGTK's failure mode): the window's picture has more than a few colours.
shot=$out/installed-desktop-launch.png
painted() { import -window "$wid" "$shot" 2>/dev/null && (($(identify -format %k "$shot") > 64)); }
for _ in $(seq 60); do painted && break; sleep 0.5; done
painted || fail "the window stayed blank: $shot"
echo "    window $wid (pid $app_pid), engine reached, page painted: $shot"
kill "$app_pid"
for _ in $(seq 40); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.25; done
! kill -0 "$app_pid" 2>/dev/null || fail "the app (pid $app_pid) did not end on SIGTERM"
app_pid=''

step "the installed app through tauri-driver, same environment: containers, registry login"
(cd tests/e2e && BERTH_INSTALL_HOME=$home BERTH_INSTALL_RUNTIME_DIR=$runtime \
  BERTH_E2E_PORT=${BERTH_E2E_PORT:-4470} node --test --test-reporter=spec install/)

step "dpkg -r, dpkg -P: nothing left but the user's data"
"${sudo[@]}" dpkg -r berth >/dev/null
[[ ! -e /usr/bin/berth ]] || fail "dpkg -r left /usr/bin/berth"
# No conffiles, so nothing is left to purge unless dpkg still knows the package.
if dpkg-query -W berth >/dev/null 2>&1; then "${sudo[@]}" dpkg --purge berth >/dev/null; fi
! dpkg-query -W berth >/dev/null 2>&1 || fail "dpkg still lists berth after --purge"
installed=''
"${sudo[@]}" rm -f "$helper"
while read -r f; do
  [[ -d $f || ! -e $f ]] || fail "$f is still there after dpkg --purge"
done <<<"$listed"
left=$(find /usr /etc /opt /var -xdev \( -path /var/lib/docker -o -path /var/tmp \) -prune -o \
  -newer "$stamp" -iname '*berth*' -print 2>/dev/null || true)
[[ -z $left ]] || fail "files left after purge: $left"
echo "    the user's data stays in HOME: $(cd "$home" && find . -mindepth 2 -maxdepth 3 -path '*berth*' | head -5 | tr '\n' ' ')"
echo "install test: passed"
