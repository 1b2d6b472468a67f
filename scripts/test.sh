#!/usr/bin/env bash
# The test command (README, CI): set-up, release wasm + size/instruction
# checks of every contract, then every test of the workspace (unit, property,
# local-chain, anvil, cast and end-to-end), then the interface-drift checks,
# then the web page's tests (scripts/web-test.sh: unit, build, and in
# headless Chromium against the demo's chain).
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh -p il-vault`);
# with arguments, the web page's tests are left out.
set -euo pipefail
cd "$(dirname "$0")/.."

# No process the tests start may outlive them (nodes hold ports and pile up):
# what runs from this checkout afterwards must have run before.
before=$(scripts/procs.sh | cut -d' ' -f1)
check_leftovers() {
  local status=$? left=""
  for _ in $(seq 50); do
    left=$(scripts/procs.sh | awk -v before="$before" \
      'BEGIN { n = split(before, p); for (i = 1; i <= n; i++) seen[p[i]] = 1 } !($1 in seen)')
    [ -z "$left" ] && break
    sleep 0.1
  done
  if [ -n "$left" ]; then
    echo "test: the run left these processes behind (now stopped):" >&2
    echo "$left" >&2
    kill -9 $(cut -d' ' -f1 <<<"$left") 2>/dev/null || true
    [ $status -eq 0 ] && status=1
  fi
  exit $status
}
trap check_leftovers EXIT

scripts/setup.sh
scripts/check-wasm.sh
web=0
if [ $# -eq 0 ]; then
  set -- --workspace
  web=1
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

if [ $web -eq 1 ]; then
  scripts/web-test.sh
fi
