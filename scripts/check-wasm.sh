#!/usr/bin/env bash
# Build every Stylus contract of the workspace for wasm32 in release (through
# scripts/build-contracts.sh) and check each one with `il-wasm check`:
# raw / prepared / brotli sizes, the vm_hooks it imports, and failures for any
# f32/f64 instruction, any import outside vm_hooks, a missing user_entrypoint
# export, or deployed code over the limit (IL_WASM_MAX_COMPRESSED, default 24576).
# Exit status: non-zero if the build or any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build-contracts.sh

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
wasm_dir="$target_dir/wasm32-unknown-unknown/release"

crates=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    for t in p["targets"]:
        if "cdylib" in t["crate_types"]:
            print(t["name"].replace("-", "_"))
')
files=()
for c in $crates; do
  f="$wasm_dir/$c.wasm"
  if [ ! -f "$f" ]; then
    echo "check-wasm: $f is missing after scripts/build-contracts.sh" >&2
    exit 1
  fi
  files+=("$f")
done

cargo run --locked --quiet -p il-wasm --bin il-wasm -- check "${files[@]}"
