#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then checks
# formatting, lints, the dependency policy (cargo deny), the no_std builds, the spec
# cross-check and every test.
# .ci/run calls exactly this script (it is the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [%4ss] %s\n' "$SECONDS" "$*"; }

step "toolchain components and targets"
rustup component add rustfmt clippy 2>&1 | tail -n 2
rustup target add thumbv7em-none-eabihf 2>&1 | tail -n 1

step "system packages (gcc: C ABI test; socat: serial-port test; mosquitto: MQTT tests; ARM size; chromium: dashboard browser test)"
missing=()
command -v gcc >/dev/null || missing+=(gcc)
command -v python3 >/dev/null || missing+=(python3)
command -v socat >/dev/null || missing+=(socat)
command -v mosquitto >/dev/null || missing+=(mosquitto mosquitto-clients)
command -v arm-none-eabi-size >/dev/null || missing+=(binutils-arm-none-eabi)
# gateway/tests/dashboard_browser.rs drives Debian's headless Chromium through its ChromeDriver
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "ok: gcc $(gcc -dumpversion), $(python3 --version), $(socat -V | sed -n 2p), $(/usr/bin/chromedriver --version | cut -d' ' -f1-2)"

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo deny: licences, duplicate crates, sources (deny.toml) and advisories"
# cargo-deny is built from source when missing (about 5 min on this 2-core machine).
CARGO_DENY_VERSION=0.20.2
if [ "$(cargo deny --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  cargo install --locked cargo-deny --version "$CARGO_DENY_VERSION"
fi
# The advisory database (RustSec, a git repository) is not distributed through a package
# registry, and a machine that reaches only the package registries cannot clone it. Then
# the advisories are NOT checked: this says so loudly and the other checks still run.
if cargo deny fetch db >/dev/null 2>&1; then
  cargo deny check
else
  echo "WARNING: advisories NOT checked: the RustSec advisory database could not be fetched"
  echo "WARNING: from this machine; run 'cargo deny check advisories' where it can be."
  cargo deny check licenses bans sources
fi

step "no_std, no-alloc build of protocol for thumbv7em-none-eabihf"
cargo build -p protocol --no-default-features --target thumbv7em-none-eabihf

step "firmware: no_std controller and C ABI for thumbv7em, bare-metal example linked, sizes"
bash bench/firmware_size.sh

step "SPEC.md golden frames, re-derived by an independent Python packer"
python3 protocol/tests/spec_crosscheck.py

step "Python cross-check tools in .venv: IOOS compliance-checker, xarray, netCDF4, ioos_qc, prometheus_client, selenium"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install -q compliance-checker==6.1.0 xarray==2025.1.2 netCDF4==1.7.2 ioos_qc==3.0.0 prometheus-client==0.21.1 selenium==4.27.1
# gateway/tests/dailyfiles_files.rs replays captures/clean-day.cap with `albatross replay
# --files-dir` and runs gateway/tests/python/check_daily_files.py (cf:1.6, acdd:1.3, EMSO v1.0.7, xarray)
# on the files; gateway/tests/dashboard_browser.rs opens the live dashboards in headless
# Chromium with selenium; with this variable they fail, never skip, when the venv or
# Chromium is missing
export ALBATROSS_REQUIRE_PYTHON=1
# gateway/tests/fault_disk_full.rs mounts a small tmpfs as the gateway's data directory (the
# disk filling up); with this variable it fails, never skips, when it cannot mount (not root)
export ALBATROSS_REQUIRE_MOUNT=1

step "cargo test --workspace"
cargo test --workspace

printf '\n==> all passed in %ss\n' "$SECONDS"
