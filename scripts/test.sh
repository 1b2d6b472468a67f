#!/usr/bin/env bash
# The test command (README, CI): set-up, release wasm + size/instruction
# checks of every contract, then every test of the workspace (unit, property,
# local-chain, anvil, cast and end-to-end), then the interface-drift checks.
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh -p il-vault`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/check-wasm.sh
if [ $# -eq 0 ]; then
  set -- --workspace
fi
cargo test --locked "$@"

# The committed Solidity interfaces must match the code (what the keeper and
# wallets bind to): each contract's `abi` test, with its export-abi feature.
abi_args=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
pkgs = [p["name"] for p in json.load(sys.stdin)["packages"]
        if "export-abi" in p["features"] and any(t["name"] == "abi" and "test" in t["kind"] for t in p["targets"])]
print(" ".join("-p " + p for p in pkgs), "--features", ",".join(p + "/export-abi" for p in pkgs))
')
cargo test --locked $abi_args --test abi
