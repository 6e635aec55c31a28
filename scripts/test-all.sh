#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then checks
# formatting, lints, the no_std builds, the spec cross-check and every test.
# .ci/run calls exactly this script (it is the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components and targets"
rustup component add rustfmt clippy 2>&1 | tail -n 2
rustup target add thumbv7em-none-eabihf 2>&1 | tail -n 1

step "system packages"
missing=()
command -v gcc >/dev/null || missing+=(gcc)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
echo "ok: gcc $(gcc -dumpversion), $(python3 --version)"

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "no_std, no-alloc build of protocol for thumbv7em-none-eabihf"
cargo build -p protocol --no-default-features --target thumbv7em-none-eabihf

step "SPEC.md golden frames, re-derived by an independent Python packer"
python3 protocol/tests/spec_crosscheck.py

step "cargo test --workspace"
cargo test --workspace
