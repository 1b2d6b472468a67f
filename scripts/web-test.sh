#!/usr/bin/env bash
# The depositor page's tests (part of scripts/test.sh): its unit tests
# (vitest: amounts, error sentences, manifest checks), its type check and
# build (web/dist), then the browser tests: headless Chromium (Debian's,
# installed by scripts/setup.sh) driven by playwright-core against
# `il-demo --keep-running`, which deploys on the local chain and serves
# the built page. IL_WEB_SCREENSHOTS=web/docs refreshes the README's
# screenshots.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh web browser
echo "web-test: unit tests" >&2
npm --prefix web run --silent test
echo "web-test: type check and build" >&2
npm --prefix web run --silent build >&2
cargo build --locked -p il-demo -p il-keeper >&2
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
export IL_DEMO_BIN="$target_dir/debug/il-demo" IL_KEEPER_BIN="$target_dir/debug/il-keeper"
export IL_WASM_DIR="$target_dir/wasm32-unknown-unknown/release" IL_WEB_DIR="$PWD/web/dist"
if [ -n "${IL_WEB_SCREENSHOTS:-}" ]; then
  IL_WEB_SCREENSHOTS=$(realpath -m "$IL_WEB_SCREENSHOTS")
  export IL_WEB_SCREENSHOTS
fi
echo "web-test: browser tests (Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'))" >&2
cd web && node --test --test-concurrency=1 --test-timeout=900000 tests/
