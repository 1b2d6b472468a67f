#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything the demo and the tests need
# beyond Rust itself: the wasm32 target of the pinned toolchain, and
# Foundry's `cast` and `anvil` 1.7.1 from npm into ./node_modules/.bin, and
# Uniswap v4 core 1.0.2's build artifacts into ./node_modules/@uniswap/v4-core.
# Safe to run any number of times; does nothing when all is present.
# Optional parts, named as arguments:
#   web      the depositor page's npm packages (web/node_modules, from
#            web/package-lock.json: viem, vite, typescript, vitest,
#            playwright-core)
#   browser  Debian's Chromium (/usr/bin/chromium, from apt), for the
#            page's browser tests
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

for part in "$@"; do
  case "$part" in
    web)
      # Reinstall when the lock file changed since the last install.
      stamp=web/node_modules/.il-lock
      if [ ! -f "$stamp" ] || ! cmp -s web/package-lock.json "$stamp"; then
        command -v npm >/dev/null || die "npm not found: install Node.js 18+ (the web page's packages come from npm)"
        echo "setup: npm ci in web/" >&2
        npm --prefix web ci --no-audit --no-fund --loglevel=error >&2
        cp web/package-lock.json "$stamp"
      fi
      ;;
    browser)
      if [ ! -x /usr/bin/chromium ]; then
        command -v apt-get >/dev/null || die "apt-get not found: the browser tests need Debian's chromium package (/usr/bin/chromium)"
        sudo=""
        if [ "$(id -u)" -ne 0 ]; then
          command -v sudo >/dev/null || die "installing chromium needs root: run 'apt-get install chromium' as root, then re-run"
          sudo="sudo"
        fi
        echo "setup: apt-get install chromium" >&2
        $sudo apt-get update -q >&2 || true
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium >&2
        [ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after apt-get install chromium"
      fi
      ;;
    *) die "unknown part '$part' (known: web, browser)" ;;
  esac
done
