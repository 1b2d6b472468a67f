#!/usr/bin/env bash
# Regenerate every contract's committed Solidity interface, I<Name>.sol, from
# the contract's sol! interface (`cargo run --features export-abi`, what
# cargo-stylus export-abi runs). `--check` only compares and fails when a
# committed file is stale (the test suite checks the same thing with
# `cargo test -p <pkg> --features export-abi --test abi`).
# Usage: scripts/export-abi.sh [--check] [package...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
only=" $* "

# package name, manifest dir, interface file: every package with a bin named
# <package>-abi (see contracts/*/Cargo.toml).
cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
for p in json.load(sys.stdin)["packages"]:
    for t in p["targets"]:
        if "bin" in t["kind"] and t["name"] == p["name"] + "-abi":
            print(p["name"], os.path.dirname(p["manifest_path"]), t["name"])
' | while read -r pkg dir bin; do
  if [ "$only" != "  " ] && [[ "$only" != *" $pkg "* ]]; then continue; fi
  iface=$(grep -o 'I[A-Za-z]*\.sol' "$dir/src/main.rs" | head -n1)
  tmp=$(mktemp)
  cargo run -q -p "$pkg" --bin "$bin" --features export-abi > "$tmp"
  if [ "$check" = 1 ]; then
    if ! cmp -s "$dir/$iface" "$tmp"; then
      rm -f "$tmp"
      echo "export-abi: $dir/$iface is stale; run scripts/export-abi.sh" >&2
      exit 1
    fi
    rm -f "$tmp"
    echo "export-abi: $dir/$iface up to date" >&2
  else
    mv "$tmp" "$dir/$iface"
    echo "export-abi: wrote $dir/$iface" >&2
  fi
done
