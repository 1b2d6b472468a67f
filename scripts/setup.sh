#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything the demo and the tests need
# beyond Rust itself: the wasm32 target of the pinned toolchain, and
# Foundry's `cast` and `anvil` 1.7.1 from npm into ./node_modules/.bin, and
# Uniswap v4 core 1.0.2's build artifacts into ./node_modules/@uniswap/v4-core.
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
# Uniswap v4 core's build artifacts (out/<Contract>.sol/<Contract>.json): the
# EVM tests deploy the real PoolManager from them. BUSL-1.1: read from
# node_modules at test time, never committed.
V4_CORE_VERSION=1.0.2
v4_pkg=node_modules/@uniswap/v4-core/package.json
missing=0
for tool in cast anvil; do
  bin="node_modules/.bin/$tool"
  if [ ! -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "Version: $FOUNDRY_VERSION"; then
    missing=1
  fi
done
if [ ! -f "$v4_pkg" ] || ! grep -q "\"version\": \"$V4_CORE_VERSION\"" "$v4_pkg"; then
  missing=1
fi
if [ $missing -eq 1 ]; then
  command -v npm >/dev/null || die "npm not found: install Node.js 18+ (Foundry's cast and anvil and Uniswap v4 core come from npm)"
  # One command for all three: without a package.json, npm prunes what a
  # later install does not name.
  pkgs=("@foundry-rs/cast@$FOUNDRY_VERSION" "@foundry-rs/anvil@$FOUNDRY_VERSION" "@uniswap/v4-core@$V4_CORE_VERSION")
  echo "setup: npm install ${pkgs[*]}" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix . "${pkgs[@]}" >&2
  for tool in cast anvil; do
    node_modules/.bin/$tool --version >/dev/null 2>&1 || die "node_modules/.bin/$tool does not run after npm install"
  done
  [ -f node_modules/@uniswap/v4-core/out/PoolManager.sol/PoolManager.json ] \
    || die "node_modules/@uniswap/v4-core has no out/PoolManager.sol/PoolManager.json after npm install"
fi
