#!/usr/bin/env bash
# The README's first command: the whole system end to end on a local Stylus
# chain (see demo/src/main.rs). Sets up what is missing (wasm target, cast),
# builds the release wasm and the host binaries, then runs il-demo.
# Arguments go to il-demo (`scripts/demo.sh --help`, `--keep-running`, `--days 90`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build-contracts.sh
# --keep-running serves the depositor's web page: build it (web/dist).
for arg in "$@"; do
  if [ "$arg" = --keep-running ]; then
    scripts/setup.sh web
    echo "demo: building the web page (web/dist)" >&2
    npm --prefix web run --silent build >&2
    break
  fi
done
echo "demo: building il-demo and il-keeper" >&2
cargo build --locked -p il-demo -p il-keeper >&2
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
exec "$target_dir/debug/il-demo" --keeper-bin "$target_dir/debug/il-keeper" \
  --wasm-dir "$target_dir/wasm32-unknown-unknown/release" --web-dir "$PWD/web/dist" "$@"
