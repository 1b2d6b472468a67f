#!/usr/bin/env bash
# The test command (README, CI): set-up, release wasm + size/instruction
# checks of every contract, then every test of the workspace (unit, property,
# local-chain, anvil, cast and end-to-end).
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh -p il-vault`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/check-wasm.sh
if [ $# -eq 0 ]; then
  set -- --workspace
fi
cargo test --locked "$@"
