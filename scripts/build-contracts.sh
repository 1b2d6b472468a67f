#!/usr/bin/env bash
# Build every Stylus contract of the workspace (each package with a `cdylib`
# target) for wasm32-unknown-unknown with the release profile.
# Output: $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/<crate_name>.wasm
# (default target dir: <repo>/target). Idempotent; installs the wasm target.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "build-contracts: installing the wasm32-unknown-unknown target" >&2
  rustup target add wasm32-unknown-unknown >&2
fi

packages=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if any("cdylib" in t["crate_types"] for t in p["targets"]):
        print(p["name"])
')
if [ -z "$packages" ]; then
  echo "build-contracts: no contract packages found" >&2
  exit 1
fi
args=()
for p in $packages; do args+=(-p "$p"); done
echo "build-contracts: $(echo $packages | tr '\n' ' ')" >&2
cargo build --release --target wasm32-unknown-unknown "${args[@]}" >&2
