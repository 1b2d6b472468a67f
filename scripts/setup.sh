#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything the demo and the tests need
# beyond Rust itself: the wasm32 target of the pinned toolchain, and
# Foundry's `cast` and `anvil` 1.7.1 from npm into ./node_modules/.bin.
# Safe to run any number of times; does nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "setup: $*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs), then re-run"
command -v rustup >/dev/null || die "rustup not found: the toolchain is pinned in rust-toolchain.toml and installed by rustup"

# rust-toolchain.toml pins the toolchain; rustup installs it on first use.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "setup: installing the wasm32-unknown-unknown target" >&2
  rustup target add wasm32-unknown-unknown >&2
fi

FOUNDRY_VERSION=1.7.1
need=()
for tool in cast anvil; do
  bin="node_modules/.bin/$tool"
  if [ ! -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "Version: $FOUNDRY_VERSION"; then
    need+=("@foundry-rs/$tool@$FOUNDRY_VERSION")
  fi
done
if [ ${#need[@]} -gt 0 ]; then
  command -v npm >/dev/null || die "npm not found: install Node.js 18+ (Foundry's cast and anvil come from npm)"
  echo "setup: npm install ${need[*]}" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix . "${need[@]}" >&2
  for tool in cast anvil; do
    node_modules/.bin/$tool --version >/dev/null 2>&1 || die "node_modules/.bin/$tool does not run after npm install"
  done
fi
