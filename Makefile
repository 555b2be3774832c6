# Berth: build, run and test. On a fresh Debian/Ubuntu machine `make run` and `make test`
# install whatever is missing first (scripts/deps.sh).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.NOTPARALLEL:
.DEFAULT_GOAL := help

export CARGO_TARGET_DIR ?= $(CURDIR)/target
# Software rendering under Xvfb / VMs: WebKitGTK's DMA-BUF renderer shows blank windows there.
export WEBKIT_DISABLE_DMABUF_RENDERER ?= 1
ifeq ($(CI),true)
# Incremental artefacts only help rebuilds; a CI build is cold and should stay lean.
export CARGO_INCREMENTAL ?= 0
endif

APP := $(CARGO_TARGET_DIR)/debug/berth
# `make test`'s release build, apart from the debug one (see `test`).
TEST_DIST := $(CARGO_TARGET_DIR)/dist

.PHONY: help run test test-checks test-core test-ui test-e2e test-install dist fuzz bench bench-pull icons \
        bindings clean distclean deps-run deps-test engine test-image ci-images registry ui-build app _app \
        _dist _checks _core _ui _e2e _install _install-run _fuzz

help:
	@echo "make run        build the UI and run the app"
	echo "make test       everything CI runs: checks + core + UI + end-to-end + install + fuzz"
	echo "make test-checks  rustfmt, clippy, svelte-check, tsc, cargo-deny (scripts/checks.sh)"
	echo "make test-core  Rust tests (workspace) against a real engine"
	echo "make test-ui    UI unit tests"
	echo "make test-e2e   drive the real window under Xvfb"
	echo "make test-install  build the .deb, install it, launch it as a desktop does, uninstall"
	echo "make dist       release bundles (.deb and .rpm here) in target/release/bundle/"
	echo "make fuzz       every fuzz target for FUZZ_SECONDS (default 30)"
	echo "make bench      benchmarks (tests/bench/run.sh, which runs pull.sh too, then pipelines.sh)"
	echo "make bench-pull only the pull benchmark (tests/bench/pull.sh)"
	echo "make icons      regenerate icons/ from icons/berth.svg"
	echo "make bindings   regenerate ui/src/lib/ipc/bindings.ts from the command list"
	echo "make clean      remove build outputs (distclean: also node_modules, .tools)"

run: deps-run ui-build
	cargo run -p berth

# Setup steps stop `make test` at once; the six suites all run, then a summary is printed.
# What builds for later suites and shares nothing with the debug build starts at once in the
# background at the lowest CPU priority (nice 19), in two lines side by side: the release bundles
# for the install suite (in target/dist: a folder of its own, so cargo's lock never makes the debug
# builds wait; its fat-LTO link uses one core), and the fuzz targets (target/fuzz, nightly) then
# cargo-deny (.tools). They take the CPU the suites leave idle: the engine, conformance and e2e
# suites mostly wait on containers and windows.
# The install suite waits for the release line and uses its bundles (two `tauri build` at once
# would write the same .deb while the other packs it); the fuzz suite waits on cargo's lock if its
# build still runs; the checks suite, last, waits for all and runs clippy over the debug build's
# dependencies. Logs: target/background-{release,fuzz}.log.
test: deps-test engine test-image ci-images registry ui-build
	@failed=() passed=() took=()
	echo "==> setup done ($$(date -u +%T))"
	trap 'kill $$(jobs -p) 2>/dev/null || true' EXIT
	stamp() { echo "==> $$1 done ($$(date -u +%T))"; }
	(CARGO_TARGET_DIR=$(TEST_DIST) nice -n 19 $(MAKE) --no-print-directory _dist && stamp "release build") \
	  >"$$CARGO_TARGET_DIR/background-release.log" 2>&1 &
	release=$$!
	(nice -n 19 scripts/fuzz.sh build; stamp "fuzz build"; nice -n 19 scripts/checks.sh tools; stamp "cargo-deny build") \
	  >"$$CARGO_TARGET_DIR/background-fuzz.log" 2>&1 &
	for suite in core ui e2e install fuzz checks; do
	  if [[ $$suite == checks ]]; then
	    echo "==> waiting for the background builds ($$(date -u +%T))"; wait
	    grep -h '^==> .* done (' "$$CARGO_TARGET_DIR"/background-{release,fuzz}.log || true
	  fi
	  echo "==> test-$$suite ($$(date -u +%T))"
	  start=$$SECONDS
	  target=_$$suite
	  if [[ $$suite == install ]]; then
	    echo "==> waiting for the release build ($$(date -u +%T))"
	    if wait $$release; then target=_install-run; else echo "the release build failed:"; tail -n 20 "$$CARGO_TARGET_DIR/background-release.log"; fi
	  fi
	  dist=(); [[ $$suite == install ]] && dist=(CARGO_TARGET_DIR=$(TEST_DIST))
	  if env "$${dist[@]}" $(MAKE) --no-print-directory $$target; then passed+=("$$suite"); else failed+=("$$suite"); fi
	  took+=("$$suite $$((SECONDS - start)) s")
	done
	echo
	echo "==> summary ($$(date -u +%T))"
	for s in "$${passed[@]}"; do echo "  PASS  test-$$s"; done
	for s in "$${failed[@]}"; do echo "  FAIL  test-$$s"; done
	echo "  time: $${took[*]}"
	[[ $${#failed[@]} -eq 0 ]]

test-checks: deps-test ui-build _checks
test-core: deps-test engine test-image ci-images registry ui-build _core
test-ui: deps-run _ui
test-e2e: deps-test engine test-image ci-images registry ui-build _e2e
test-install: deps-test engine test-image registry ui-build _install
fuzz:
	@scripts/fuzz.sh

# run.sh runs pull.sh too, so the table holds the pull's figures; both benches run, either can FAIL.
bench: deps-test engine test-image ci-images registry ui-build
	@status=0
	tests/bench/run.sh || status=1
	tests/bench/pipelines.sh || status=1
	exit $$status

# Only the pull benchmark: Berth's core vs `docker pull` of a 40-layer image from the test registry.
bench-pull: deps-test engine registry
	@tests/bench/pull.sh

# Formatting, lints and type checks, and the dependency policy (deny.toml): scripts/checks.sh.
_checks:
	scripts/checks.sh

# Registry logins need a real OS keychain: scripts/keyring.sh runs the suite beside a private,
# unlocked GNOME Keyring (Secret Service), never the user's own.
# Conformance runs apart, uncaptured, so its pass counts (or the one-line skip) show in the log.
_core:
	BERTH_TEST_ENGINE=1 scripts/keyring.sh cargo test --workspace -- --skip conformance
	echo "==> conformance: the reference implementations' own tables (../shared/conformance)"
	BERTH_TEST_ENGINE=1 cargo test -p berth-core --test engine conformance -- --nocapture --test-threads=1

_ui:
	cd ui && npm test

# Every fuzz target for FUZZ_SECONDS (10 here: CI time) from its corpus in fuzz/corpus/; fails on a crash.
_fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-10} scripts/fuzz.sh

# The app is built here, not by `cargo test`, which does not always produce the plain binary.
_e2e: _app
	cd tests/e2e
	# The app reads the test registry's login like the docker CLI does.
	DOCKER_CONFIG="$(CURDIR)/target/registry/docker-config" BERTH_APP="$(APP)" \
	  ../../scripts/keyring.sh xvfb-run -a -s "-screen 0 1280x800x24" npm test

# The release .deb, installed with dpkg and launched from its .desktop entry as a desktop session
# launches it (tests/install/run.sh; root or sudo). It is removed again however the test ends.
_install: _dist _install-run
_install-run:
	scripts/keyring.sh xvfb-run -a -s "-screen 0 1280x800x24" tests/install/run.sh

deps-run:
	@scripts/deps.sh run

deps-test:
	@echo "==> deps ($$(date -u +%T))"
	scripts/deps.sh test

engine:
	@echo "==> engine ($$(date -u +%T))"
	scripts/engine.sh ensure

test-image:
	@echo "==> test-image ($$(date -u +%T))"
	scripts/test-image.sh

# Debian bookworm (bash, coreutils, git) made offline with debootstrap, for pipeline jobs; built
# once per clone (target/ci-images). The Docker-in-Docker image is built by its tests on first use.
ci-images:
	@echo "==> ci-images ($$(date -u +%T))"
	scripts/ci-images.sh debian

# A private registry with htpasswd login on 127.0.0.1:5000 (scripts/registry.sh stop ends it).
registry:
	@echo "==> registry ($$(date -u +%T))"
	scripts/registry.sh start

# Tauri embeds ui/dist at compile time, so the UI is built before any cargo build of src-tauri.
ui-build:
	@echo "==> ui-build ($$(date -u +%T))"
	cd ui && npm run build

# The UI's IPC bindings, generated from src-tauri/src/commands/list.rs (`make test` fails while
# the checked-in file is stale).
bindings:
	BERTH_WRITE_BINDINGS=1 cargo test -p berth --bin berth bindings_are_current

app: ui-build _app

# Release bundles through the Tauri CLI from ui/node_modules: .deb and .rpm on Linux, .app and
# .dmg on macOS, NSIS -setup.exe and .msi on Windows (bundle.targets in tauri.conf.json, which
# also keeps AppImage out: its tools are downloaded at build time).
dist: deps-run ui-build _dist

_dist:
	ui/node_modules/.bin/tauri build

_app:
	cargo build -p berth

icons:
	@if [[ -x ui/node_modules/.bin/tauri ]]; then
	  (cd ui && npx tauri icon ../icons/berth.svg -o ../icons)
	else
	  tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT
	  (cd "$$tmp" && npx --yes @tauri-apps/cli@2 icon "$(CURDIR)/icons/berth.svg" -o "$(CURDIR)/icons")
	fi
	rm -rf icons/android icons/ios

clean:
	cargo clean
	rm -rf ui/dist tests/e2e/artifacts

distclean: clean
	rm -rf ui/node_modules tests/e2e/node_modules .tools
